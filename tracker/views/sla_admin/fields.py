"""The whole-hours field of the SLA policy form."""
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField

WHOLE_HOURS = _l("Enter a whole number of working hours.")


class WholeHoursField(IntegerField):
    """A whole number of working hours, with a message the user can read in Vietnamese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(WHOLE_HOURS)) from None
