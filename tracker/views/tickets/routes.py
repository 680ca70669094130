from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ... import permissions, queries
from ...enums import Role
from ...extensions import db
from ...forms import put_error_on_form, redisplay_on_csrf_error
from ...models import Category
from ...tickets import DomainError, allowed_localities_for, file_ticket, post_message, start_work
from .forms import ActionForm, MessageForm, TicketForm

bp = Blueprint("tickets", __name__, url_prefix="/tickets")


@bp.get("")
@login_required
def index():
    filters = queries.TicketFilters.from_args(request.args)
    page = queries.ticket_list(current_user, filters, request.args.get("page", 1, type=int))
    from ..queues.routes import render_queue

    return render_queue("tickets/index.html", page, filters, "tickets.index")


@bp.route("/new", methods=["GET", "POST"])
@login_required
@redisplay_on_csrf_error
def new():
    if not permissions.can_file(current_user):
        abort(404)
    localities = allowed_localities_for(current_user)
    categories = db.session.scalars(select(Category).where(Category.active.is_(True))
                                    .order_by(Category.position)).all()
    form = TicketForm()
    form.fill_choices(categories, localities)
    choose_locality = current_user.role_enum is Role.PROVINCE
    if form.validate_on_submit():
        code = form.locality.data if choose_locality else current_user.locality.code
        try:
            ticket = file_ticket(
                current_user, locality=queries.locality_by_code(code),
                category=next((c for c in categories if c.code == form.category.data), None),
                title=form.title.data, description=form.description.data, legal_basis=form.legal_basis.data,
                requested_urgency=form.urgency.data, files=request.files.getlist("attachments"),
            )
        except DomainError as error:
            db.session.rollback()
            put_error_on_form(form, error)
        else:
            db.session.commit()
            flash(_("Your obstacle was filed as %(reference)s.", reference=ticket.reference), "success")
            return redirect(url_for("tickets.show", reference=ticket.reference))
    status = 422 if request.method == "POST" else 200  # a POST that reaches here was refused
    return render_template("tickets/new.html", form=form, choose_locality=choose_locality), status


@bp.get("/<reference>")
@login_required
def show(reference: str):
    ticket = permissions.get_visible_ticket(current_user, reference)
    return _render_ticket(ticket)


def _render_ticket(ticket, message_form=None, triage_form=None, status=200, action_form=None,
                   changed_meanwhile=None, **workflow_forms):
    from ... import workflow
    from ..triage.forms import TriageForm
    from ..workflow.forms import fresh_forms

    message_form = message_form or MessageForm(version=ticket.version, formdata=None)
    if triage_form is None and permissions.can_set_triage_fields(current_user, ticket):
        triage_form = TriageForm.for_ticket(ticket)
    events = queries.ticket_events(current_user, ticket)
    return render_template(
        "tickets/show.html", ticket=ticket, messages=queries.ticket_messages(current_user, ticket),
        events=events, message_form=message_form, triage_form=triage_form,
        action_form=action_form or ActionForm(version=ticket.version, formdata=None),
        seen_event=max((e.id for e in events), default=0), changed_meanwhile=changed_meanwhile,
        ticket_files=queries.ticket_attachments(ticket, message_id=None),
        linked=workflow.linked_tickets(current_user, ticket), duplicates=workflow.duplicates_of(current_user, ticket),
        **fresh_forms(ticket, **workflow_forms),
    ), status


@bp.post("/<reference>/messages")
@login_required
@redisplay_on_csrf_error
def message(reference: str):
    ticket = permissions.get_visible_ticket(current_user, reference, for_update=True)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            post_message(current_user, ticket, body=form.body.data, files=request.files.getlist("attachments"),
                         internal=bool(form.internal.data) and permissions.can_add_note(current_user, ticket))
        except DomainError as error:
            db.session.rollback()
            if error.field:
                put_error_on_form(form, error)
            else:  # a refusal: the reply form may not be shown at all, so say it on top of the page
                flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("Your message was sent."), "success")
            return redirect(url_for("tickets.show", reference=reference))
    return _render_ticket(ticket, message_form=form, status=422)


@bp.post("/<reference>/start")
@login_required
def start(reference: str):
    ticket = permissions.get_visible_ticket(current_user, reference, for_update=True)
    form = ActionForm()
    try:
        if not form.validate_on_submit():
            abort(400)
        start_work(current_user, ticket, version=form.version.data)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(_("You started working on this obstacle."), "success")
    return redirect(url_for("tickets.show", reference=reference))
