from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, SelectMultipleField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from ... import queries
from ...enums import Urgency
from ...extensions import db
from ...intake import DOC_NUMBER_MAX, OFFLINE_CHANNELS
from ...localtime import local_date
from ...models import Category, Unit
from ...people import specialists_by_unit
from ..forms import REQUIRED, LocalDateField, VersionedForm
from ..tickets.forms import TicketForm


class TriageForm(VersionedForm):
    category = SelectField(_l("Category"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    urgency = SelectField(_l("Urgency"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    lead_unit = SelectField(_l("Lead unit"), validate_choice=False)
    assignee = SelectField(_l("Assignee"), validate_choice=False)
    coordinating_units = SelectMultipleField(_l("Coordinating units"), validate_choice=False)
    due_date = LocalDateField(_l("Deadline named by a directive (optional)"))

    @classmethod
    def for_ticket(cls, ticket, formdata=None):
        form = cls(formdata=formdata, version=ticket.version,
                   category=ticket.category.code, urgency=ticket.urgency,
                   lead_unit=ticket.lead_unit.code if ticket.lead_unit else "",
                   assignee=str(ticket.assignee_id or ""),
                   coordinating_units=[u.code for u in ticket.coordinating_units],
                   due_date=_explicit_day(ticket))
        if formdata is None:
            form.version.data = ticket.version
        form.fill_choices()
        return form

    def fill_choices(self) -> None:
        categories = db.session.scalars(select(Category).where(Category.active.is_(True))
                                        .order_by(Category.position)).all()
        units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
        self.category.choices = [(c.code, c.name) for c in categories]
        self.urgency.choices = [(u.value, u.label) for u in Urgency]
        self.lead_unit.choices = [("", _l("— triage queue —"))] + [(u.code, u.name) for u in units]
        self.coordinating_units.choices = [(u.code, u.name) for u in units]
        by_unit = specialists_by_unit()
        self.assignee.choices = [("", _l("— nobody yet —"))] + [
            (str(user.id), f"{user} — {unit.name}") for unit in units for user in by_unit.get(unit.id, [])
        ]


class BulkForm(FlaskForm):
    """Bulk actions on the triage queue; the chosen tickets and their versions come as plain form fields."""

    action = SelectField(_l("Action"), validate_choice=False)
    unit = SelectField(_l("Lead unit"), validate_choice=False)
    assignee = SelectField(_l("Assignee"), validate_choice=False)
    urgency = SelectField(_l("Urgency"), validate_choice=False)

    def fill_choices(self) -> None:
        self.action.choices = [("assign", _l("Assign")), ("urgency", _l("Set the urgency"))]
        units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
        self.unit.choices = [("", _l("— choose —"))] + [(u.code, u.name) for u in units]
        by_unit = specialists_by_unit()
        self.assignee.choices = [("", _l("— nobody yet —"))] + [
            (str(user.id), f"{user} — {unit.name}") for unit in units for user in by_unit.get(unit.id, [])
        ]
        self.urgency.choices = [("", _l("— choose —"))] + [(u.value, u.label) for u in Urgency]


def _valid_date(form, field):
    if field.data and queries.parse_date(field.data) is None:
        raise ValidationError(_l("Write the date as dd/mm/yyyy."))


class OnBehalfForm(TicketForm):
    """The filing form, plus the locality by code, the channel and the incoming document."""

    locality = StringField(_l("Submitting locality (code)"), validators=[
        DataRequired(REQUIRED), Length(max=5, message=_l("At most %(max)d characters.", max=5))])
    channel = SelectField(_l("Received by"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    incoming_doc_number = StringField(_l("Document number"), validators=[
        Optional(), Length(max=DOC_NUMBER_MAX, message=_l("At most %(max)d characters.", max=DOC_NUMBER_MAX))])
    incoming_doc_date = StringField(_l("Document date"), validators=[Optional(), _valid_date])

    def fill_choices(self, categories, localities=()) -> None:
        super().fill_choices(categories, localities)
        self.channel.choices = [("", _l("— choose —"))] + [(c.value, c.label) for c in OFFLINE_CHANNELS]
def _explicit_day(ticket):
    return local_date(ticket.explicit_due_at) if ticket.explicit_due_at else None
