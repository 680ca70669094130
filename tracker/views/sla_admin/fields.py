"""A date field that reads the browser's date input (yyyy-mm-dd) and the Vietnamese dd/mm/yyyy alike."""
import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField

INVALID_DATE = _l("Enter a valid date (dd/mm/yyyy).")
WHOLE_HOURS = _l("Enter a whole number of working hours.")


def parse_local_date(text: str) -> dt.date:
    text = (text or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if 2000 <= day.year <= 2100:
            return day
    raise ValueError(text)


class LocalDateField(StringField):
    """Empty → None; a date that does not exist (31/02) or garbage → a clear message."""

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
            return self.data.isoformat()
        return getattr(self, "raw_text", "") or ""


class WholeHoursField(IntegerField):
    """A whole number of working hours, with a message the user can read in Vietnamese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(WHOLE_HOURS)) from None
