"""Form helpers shared by blueprints."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField

from .tickets import DomainError


class VersionedForm(FlaskForm):
    """A form that changes a ticket carries the version it was loaded at (optimistic locking)."""

    version = HiddenField()


def redisplay_on_csrf_error(view):
    """Mark a view whose form is shown again as typed when its CSRF token is missing or expired.

    Only for views that validate a FlaskForm before changing anything (its own CSRF check then fails) and
    whose access checks are all in their own decorators: blueprint before_request hooks are not run again.
    """
    view.redisplays_form_on_csrf_error = True
    return view


def put_error_on_form(form: FlaskForm, error: DomainError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        form.form_errors.append(error.message)


REQUIRED = _l("This field is required.")
