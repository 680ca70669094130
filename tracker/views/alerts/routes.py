"""Each user's notifications: the list (with the bell's count), marking as read, and the settings page."""
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...alerts.inbox import mark_all_read, mark_read, notifications_page, unread_count
from ...alerts.preferences import is_locked, save_settings, settable_kinds, settings_of
from ...enums import Deadline, NotificationKind
from ...models import utcnow
from ..actions import perform
from .forms import MarkReadForm, settings_form

bp = Blueprint("alerts", __name__, url_prefix="/notifications")


@bp.before_request
def logged_in_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    user = current_user._get_current_object()
    current = settings_of(user)
    form = settings_form(user, current)
    if form.validate_on_submit():
        choices = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        if perform(lambda: save_settings(user, choices), form).ok:
            flash(_("Your notification settings were saved."), "success")
            return redirect(url_for(".settings"))
    status = 422 if form.errors else 200
    kinds = [(kind, is_locked(user, kind)) for kind in settable_kinds(user)]
    return render_template("alerts/settings.html", form=form, kinds=kinds, current=current), status


@bp.app_template_global()
def unread_notifications() -> int:
    """The bell's number: one bounded count on an index, at most once per request."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        loaded = current_user.unread_loaded  # read with the user by the session's loader
        g.unread_notifications = unread_count(current_user) if loaded is None else loaded
    return g.unread_notifications


@bp.get("")
def index():
    unread_only = request.args.get("unread") == "1"
    page = notifications_page(current_user, request.args.get("page", 1, type=int),
                              current_app.config["PAGE_SIZE"], unread_only)
    return render_template("alerts/index.html", page=page, unread_only=unread_only, form=MarkReadForm(),
                           titles=notification_titles())


def notification_titles() -> dict[tuple[str, str | None], str]:
    """What each notification says, worded once per page rather than once per row."""
    titles = {(kind.value, None): str(kind.label) for kind in NotificationKind}
    titles |= {
        (NotificationKind.AT_RISK.value, Deadline.FIRST_RESPONSE.value): _("First response due soon"),
        (NotificationKind.AT_RISK.value, Deadline.ANSWER.value): _("Answer due soon"),
        (NotificationKind.BREACHED.value, Deadline.FIRST_RESPONSE.value): _("First response overdue"),
        (NotificationKind.BREACHED.value, Deadline.ANSWER.value): _("Answer overdue"),
    }
    return titles


@bp.post("/<int:notification_id>/read")
def read(notification_id: int):
    _mark(notification_id)
    return redirect(url_for(".index", page=request.args.get("page", type=int),
                            unread=request.args.get("unread") or None))


@bp.post("/<int:notification_id>/open")
def open_ticket(notification_id: int):
    """Read it and go to its obstacle."""
    note = _mark(notification_id)
    if note.ticket is None:
        return redirect(url_for(".index"))
    return redirect(url_for("tickets.show", reference=note.ticket.reference))


@bp.post("/read-all")
def read_all():
    if not MarkReadForm().validate_on_submit():
        abort(400)
    result = perform(lambda: mark_all_read(current_user, utcnow()))
    flash(_("%(count)d notifications marked as read.", count=result.value or 0), "success")
    return redirect(url_for(".index"))


def _mark(notification_id: int):
    """One of the user's own notifications (404 for anyone else's), marked read."""
    if not MarkReadForm().validate_on_submit():
        abort(400)
    result = perform(lambda: mark_read(current_user, notification_id, utcnow()))
    if result.value is None:
        abort(404)
    return result.value
