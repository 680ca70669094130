"""Admin pages for email: the outbox (each message's bodies, errors explained, retry) and the weekly report
preview."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...mail.delivery import retry_message
from ...mail.digest_mail import preview_digest
from ...mail.failures import explain
from ...mail.outbox import get_message, outbox_list
from ...models import User, utcnow
from ...weeks import WeekError, last_week, parse_week
from ..actions import perform
from ..admin.shared import admins_only
from ..paging import page_number
from .forms import PreviewForm, RetryForm

bp = Blueprint("mail_admin", __name__, url_prefix="/admin/mail")
bp.before_request(admins_only)


@bp.get("/outbox")
def outbox():
    status = request.args.get("status") or None
    page = outbox_list(status, page_number(request.args), current_app.config["PAGE_SIZE"])
    return render_template("mail_admin/outbox.html", page=page, status=status, retry_form=RetryForm(),
                           explain=explain)


@bp.get("/outbox/<int:message_id>")
def message(message_id: int):
    """One message as it is sent: subject, recipient, both bodies, and why it failed, if it did."""
    found = get_message(message_id) or abort(404)
    return render_template("mail_admin/message.html", m=found, retry_form=RetryForm(),
                           explanation=explain(found.last_error))


@bp.get("/outbox/<int:message_id>/html")
def message_html(message_id: int):
    """The HTML body alone, framed by the message page: inline styles allowed, scripts and forms never."""
    found = get_message(message_id)
    if found is None or not found.body_html:
        abort(404)
    return _framed(found.body_html)


def _framed(html: str):
    response = current_app.make_response(html)
    response.headers["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                                   "frame-ancestors 'self'; sandbox")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/outbox/<int:message_id>/retry")
def retry(message_id: int):
    message = get_message(message_id) or abort(404)
    if not RetryForm().validate_on_submit():
        abort(400)
    result = perform(lambda: retry_message(message))
    if result.value:
        flash(_("The email will be sent again within a minute."), "success")
    else:
        flash(_("Only a failed email can be retried."), "warning")
    return redirect(url_for(".outbox", status=request.args.get("status") or None))


@bp.get("/preview")
def preview():
    form = PreviewForm(request.args, week=last_week(utcnow()).label)
    email = None
    if request.args and form.validate():
        user, week = _recipient(form), _week(form)
        if user and week:
            email = preview_digest(user, week)
            if email is None:
                form.email.errors.append(_("This user gets no weekly report for this week."))
    status = 422 if form.errors else 200
    return render_template("mail_admin/preview.html", form=form, email=email), status


@bp.get("/preview/html")
def preview_html():
    """The HTML email alone, framed by the preview page: inline styles allowed, scripts never."""
    form = PreviewForm(request.args)
    user, week = (_recipient(form), _week(form)) if form.validate() else (None, None)
    email = preview_digest(user, week) if user and week else None
    if email is None:
        abort(404)
    return _framed(email[2])


def _recipient(form: PreviewForm) -> User | None:
    user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
    if user is None:
        form.email.errors.append(_("No user has this email address."))
    return user


def _week(form: PreviewForm):
    try:
        return parse_week(form.week.data)
    except WeekError as error:
        form.week.errors.append(error.message)
        return None
