"""The workflow actions on one obstacle, and attachment downloads. Thin: load, check, call, commit."""
from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ... import attachments, permissions, queries, workflow
from ...extensions import db
from ...models import Attachment, Event, Ticket
from ..actions import STALE, perform
from ..pages import render_ticket
from ..tickets.forms import ActionForm
from .forms import AnswerForm, AskForm, DuplicateForm, LinkForm, RateForm, ReopenForm, TransferForm

bp = Blueprint("workflow", __name__, url_prefix="/tickets")

NOT_NOW = _l("You may not do this on this obstacle now.")


def _act(reference: str, form, form_name: str, action, done, allowed):
    """Run one domain action for the form; errors go back on the form (422), nothing half-saved."""
    ticket = permissions.get_visible_ticket(current_user, reference, for_update=True)
    changed = None
    if not allowed(current_user, ticket):  # said first: the page will not even show this form
        flash(str(NOT_NOW), "danger")
    elif form.validate_on_submit():
        result = perform(lambda: action(ticket, form), form)
        if result.ok:
            flash(str(done), "success")
            return redirect(url_for("tickets.show", reference=reference))
        if result.stale:
            changed = _changed_meanwhile(ticket)
            if hasattr(form, "version"):
                form.version.data = ticket.version  # the user has now seen the latest: a resubmit may go on
    return render_ticket(ticket, status=422, changed_meanwhile=changed, **{form_name: form})


@bp.app_errorhandler(StaleDataError)
def stale_anywhere(_error):
    """A concurrent flush elsewhere (version_id_col): the same clear message, nothing saved."""
    db.session.rollback()
    flash(str(STALE), "danger")
    return redirect(request.referrer or url_for("tickets.index"))


def _changed_meanwhile(ticket: Ticket) -> list[Event]:
    """The history events the user had not seen when the form was loaded."""
    seen = request.form.get("seen_event", type=int) or 0
    return [e for e in queries.ticket_events(current_user, ticket) if e.id > seen]


def _files():
    return request.files.getlist("attachments")


def _ticket_by_reference(reference: str | None) -> Ticket | None:
    return permissions.find_visible_ticket(current_user, reference)


@bp.post("/<reference>/answer")
@login_required
def answer(reference):
    return _act(reference, AnswerForm(), "answer_form", lambda t, f: workflow.answer(
        current_user, t, version=f.version.data, body=f.body.data, outcome=f.outcome.data,
        reply_doc_number=f.reply_doc_number.data, reply_doc_date=f.reply_doc_date.data,
        files=_files()), _l("The answer was sent to the locality."), permissions.can_answer)


@bp.post("/<reference>/ask")
@login_required
def ask(reference):
    return _act(reference, AskForm(), "ask_form", lambda t, f: workflow.ask_locality(
        current_user, t, version=f.version.data, body=f.body.data, files=_files()),
        _l("The question was sent to the locality."), permissions.can_ask_locality)


@bp.post("/<reference>/confirm")
@login_required
def confirm(reference):
    return _act(reference, ActionForm(), "action_form", lambda t, f: workflow.confirm_answer(
        current_user, t, version=f.version.data), _l("Thank you: the obstacle is closed."), permissions.can_confirm)


@bp.post("/<reference>/reopen")
@login_required
def reopen(reference):
    return _act(reference, ReopenForm(), "reopen_form", lambda t, f: workflow.reopen(
        current_user, t, version=f.version.data, reason=f.reason.data),
        _l("The obstacle was reopened; the team will answer again."), permissions.can_reopen)


@bp.post("/<reference>/rate")
@login_required
def rate(reference):
    return _act(reference, RateForm(), "rate_form", lambda t, f: workflow.rate(
        current_user, t, version=f.version.data, score=f.score.data, comment=f.comment.data),
        _l("Thank you for your rating."), permissions.can_rate)


@bp.post("/<reference>/duplicate")
@login_required
def duplicate(reference):
    return _act(reference, DuplicateForm(), "duplicate_form", lambda t, f: workflow.mark_duplicate(
        current_user, t, version=f.version.data, main=_ticket_by_reference(f.main.data)),
        _l("The obstacle was merged into the main one."), permissions.can_mark_duplicate)


@bp.post("/<reference>/link")
@login_required
def link(reference):
    return _act(reference, LinkForm(), "link_form", lambda t, f: workflow.link(
        current_user, t, other=_ticket_by_reference(f.other.data)), _l("The obstacles were linked."),
        permissions.can_link)


@bp.post("/<reference>/transfer")
@login_required
def transfer(reference):
    return _act(reference, TransferForm(), "transfer_form", lambda t, f: workflow.transfer(
        current_user, t, version=f.version.data, agency=f.agency.data, note=f.note.data),
        _l("The obstacle was transferred to the competent agency."), permissions.can_transfer)


@bp.get("/<reference>/attachments/<int:attachment_id>")
@login_required
def download(reference, attachment_id):
    ticket = permissions.get_visible_ticket(current_user, reference)
    attachment = db.session.scalar(select(Attachment).where(Attachment.id == attachment_id,
                                                            Attachment.ticket_id == ticket.id))
    if attachment is None or not permissions.can_download(current_user, attachment):
        abort(404)
    path = attachments.path_of(attachment)
    if not path.is_file():
        abort(404)
    perform(lambda: attachments.note_download(current_user, ticket, attachment))
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response

