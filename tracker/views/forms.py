"""Form helpers the blueprints share: the versioned form, the local date field, CSRF redisplay."""
import datetime as dt
import functools

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, StringField, widgets
from wtforms.widgets import core

from ..localtime import parse_local_date

REQUIRED = _l("This field is required.")
INVALID_DATE = _l("Enter a valid date (dd/mm/yyyy).")


def html_params(**kwargs) -> Markup:
    """WTForms' `html_params` with the same output, each attribute written without a `Markup.format` (a run of
    string.Formatter: an obstacle's page writes some 250 attributes, and the formatting was a tenth of it)."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(core.clean_key(key))
        if value is True:
            params.append(key)
        elif value is not False:
            params.append(f'{key}="{escape(value).replace(QUOTE, ESCAPED_QUOTE)}"')
    return Markup(" ".join(params))


QUOTE, ESCAPED_QUOTE = Markup('"'), Markup("&quot;")  # a Markup value may hold a quote escape() leaves as it is
WTFORMS_HTML_PARAMS = core.html_params


WTFORMS_DISPATCH_RENDER_OPTION = core.Select._dispatch_render_option.__func__


def write_attributes_faster() -> None:
    """Every WTForms widget writes its attributes with `html_params` above (tests/test_forms_html.py checks
    that both write the same); a select widget class picks how to call its `render_option` once, not at each
    render (WTForms 3.3 inspects its signature every time: a tenth of an obstacle's page)."""
    widgets.html_params = core.html_params = html_params
    core.Input.html_params = core.Button.html_params = staticmethod(html_params)
    if not hasattr(core.Select._dispatch_render_option, "cache_info"):
        core.Select._dispatch_render_option = classmethod(functools.cache(WTFORMS_DISPATCH_RENDER_OPTION))


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
