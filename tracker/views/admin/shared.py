"""What the admin blueprints share: admins only (others get 404), forms filled from an object, and the
form page."""
from flask import flash, redirect, render_template, request
from flask_login import login_required

from ... import permissions
from ..actions import perform


@login_required
@permissions.allowed_only(permissions.is_admin)
def admins_only():
    """A blueprint's before_request: log in first, then admins only."""


def form_data(obj, names: tuple[str, ...]) -> dict:
    """An object's current values for a form, related objects by their code (never the object itself)."""
    if obj is None:
        return {}
    values = {name: getattr(obj, name) for name in names}
    return {name: getattr(v, "code", v) if v is not None else "" for name, v in values.items()}


def render_form(form, title: str, status: int = 200, **context):
    return render_template("admin/form.html", form=form, title=title, **context), status


def save(form, action, success: str, redirect_to: str, title: str, **context):
    """The admin form flow: validate, perform one domain action, flash, redirect; or the form back with errors."""
    if form.validate_on_submit() and perform(action, form).ok:
        flash(success, "success")
        return redirect(redirect_to)
    return render_form(form, title, 422 if request.method == "POST" else 200, **context)
