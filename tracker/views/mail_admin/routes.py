"""Admin pages for email: the outbox (with errors and retry) and the weekly report preview."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from ... import permissions
from ...delivery import retry_message
from ...digest_mail import preview_digest
from ...enums import Role
from ...extensions import db
from ...models import OutboxMessage, User, utcnow
from ...outbox import OUTBOX_STATUSES, outbox_list
from ...weeks import WeekError, last_week, parse_week
from .forms import PreviewForm, RetryForm

bp = Blueprint("mail_admin", __name__, url_prefix="/admin/mail")

STATUS_LABELS = {"pending": _l("Waiting"), "sending": _l("Sending"), "sent": _l("Sent"), "failed": _l("Failed")}


@bp.context_processor
def labels():
    return {"outbox_status_label": lambda status: STATUS_LABELS.get(status, status)}


@bp.get("/outbox")
@login_required
@permissions.role_required(Role.ADMIN)
def outbox():
    status = request.args.get("status") or None
    page = outbox_list(status, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"])
    return render_template("mail_admin/outbox.html", page=page, status=status, statuses=OUTBOX_STATUSES,
                           retry_form=RetryForm())


@bp.post("/outbox/<int:message_id>/retry")
@login_required
@permissions.role_required(Role.ADMIN)
def retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if not RetryForm().validate_on_submit():
        abort(400)
    if retry_message(message):
        db.session.commit()
        flash(_("The email will be sent again within a minute."), "success")
    else:
        flash(_("Only a failed email can be retried."), "warning")
    return redirect(url_for(".outbox", status=request.args.get("status") or None))


@bp.get("/preview")
@login_required
@permissions.role_required(Role.ADMIN)
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
@login_required
@permissions.role_required(Role.ADMIN)
def preview_html():
    """The HTML email alone, framed by the preview page: inline styles allowed, scripts never."""
    form = PreviewForm(request.args)
    user, week = (_recipient(form), _week(form)) if form.validate() else (None, None)
    email = preview_digest(user, week) if user and week else None
    if email is None:
        abort(404)
    response = current_app.make_response(email[2])
    response.headers["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; "
                                                   "frame-ancestors 'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


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
