from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, ValidationError
from wtforms.validators import Length, Optional

from ...enums import AuditAction
from ..forms import LocalDateField


class AuditFilterForm(FlaskForm):
    """The audit trail's filters, in the query string (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    actor = StringField(_l("Who (email)"), validators=[
        Optional(), Length(max=254, message=_l("At most %(max)d characters.", max=254))])
    action = SelectField(_l("What"), validate_choice=False)
    date_from = LocalDateField(_l("From (dd/mm/yyyy)"))
    date_to = LocalDateField(_l("To (dd/mm/yyyy)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("", _l("Everything"))] + [(a.value, a.label) for a in AuditAction]

    def validate_action(self, field):
        if field.data and field.data not in set(AuditAction):
            raise ValidationError(_l("Choose a value from the list."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def valid(self, name: str):
        """A filter's value when it was understood; None when empty or refused (the page says why)."""
        field = self[name]
        return None if field.errors or not field.data else field.data
