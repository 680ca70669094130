"""Form helpers shared by blueprints."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField

from .tickets import DomainError


class VersionedForm(FlaskForm):
    """A form that changes a ticket carries the version it was loaded at (optimistic locking)."""

    version = HiddenField()


def put_error_on_form(form: FlaskForm, error: DomainError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        form.form_errors.append(error.message)


REQUIRED = _l("This field is required.")
