"""Each user's notifications: the settings page (and, beside it, the list and the bell)."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...alerts.preferences import is_locked, save_settings, settable_kinds, settings_of
from ..actions import perform
from .forms import settings_form

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
