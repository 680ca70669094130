"""Form helpers the blueprints share: the versioned form, the local date field, CSRF redisplay."""
import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from ..localtime import parse_local_date

REQUIRED = _l("This field is required.")
INVALID_DATE = _l("Enter a valid date (dd/mm/yyyy).")


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


class LocalDateField(StringField):
    """A date as Vietnamese offices write it, dd/mm/yyyy, shown the same way (a text field, never the browser's
    date input, whose order follows the browser's language). Empty → None; a date that does not exist (31/02)
    or garbage → a clear message."""

    def process_formdata(self, valuelist):
        self.raw_text = (valuelist[0] if valuelist else "") or ""
        self.data = None
        if self.raw_text.strip():
            try:
                self.data = parse_local_date(self.raw_text)
            except ValueError:
                self.data = None
                raise ValueError(str(INVALID_DATE)) from None

    def _value(self):
        if isinstance(self.data, dt.date):
            return self.data.strftime("%d/%m/%Y")
        return getattr(self, "raw_text", "") or ""
