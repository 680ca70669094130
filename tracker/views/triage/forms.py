from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ... import choices
from ...enums import Urgency
from ...intake import DOC_NUMBER_MAX, OFFLINE_CHANNELS
from ...localtime import local_date
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
        form.fill_choices(ticket)
        return form

    def fill_choices(self, ticket) -> None:
        """Only the chosen values are in the page: the pickers fetch the rest as one types. Their names come
        from the ticket, or (for values just submitted) from one query."""
        known = {("category", ticket.category.code): ticket.category.name}
        for unit in [ticket.lead_unit, *ticket.coordinating_units]:
            if unit is not None:
                known[("unit", unit.code)] = unit.name
        if ticket.assignee is not None:
            known[("user", str(ticket.assignee_id))] = str(ticket.assignee)
        names = _names(known, category=[self.category.data], unit=[self.lead_unit.data,
                                                                      *(self.coordinating_units.data or [])],
                       user=[self.assignee.data])
        self.category.choices = _chosen(names, "category", [self.category.data])
        self.urgency.choices = [(u.value, u.label) for u in Urgency]
        self.lead_unit.choices = [("", _l("— triage queue —")), *_chosen(names, "unit", [self.lead_unit.data])]
        self.coordinating_units.choices = _chosen(names, "unit", self.coordinating_units.data or [])
        self.assignee.choices = [("", _l("— nobody yet —")), *_chosen(names, "user", [self.assignee.data])]


def _names(known: dict, **codes) -> dict:
    """`known` names, plus those of the other codes read in one query (none when all are known)."""
    missing = {kind: [c for c in values if c and (kind, str(c)) not in known] for kind, values in codes.items()}
    return {**known, **choices.names_of(**missing)}


def _chosen(names: dict, kind: str, values) -> list[tuple[str, str]]:
    """The chosen values as options; one that names nothing keeps its code (the action will refuse it)."""
    return [(str(v), names.get((kind, str(v)), str(v))) for v in values if v]


class BulkForm(FlaskForm):
    """Bulk actions on the triage queue; the chosen tickets and their versions come as plain form fields."""

    action = SelectField(_l("Action"), validate_choice=False)
    unit = SelectField(_l("Lead unit"), validate_choice=False)
    assignee = SelectField(_l("Assignee"), validate_choice=False)
    urgency = SelectField(_l("Urgency"), validate_choice=False)

    def fill_choices(self) -> None:
        """The unit and assignee pickers fetch their choices as one types; only a chosen value is in the page."""
        self.action.choices = [("assign", _l("Assign")), ("urgency", _l("Set the urgency"))]
        names = _names({}, unit=[self.unit.data], user=[self.assignee.data])
        self.unit.choices = [("", _l("— choose —")), *_chosen(names, "unit", [self.unit.data])]
        self.assignee.choices = [("", _l("— nobody yet —")), *_chosen(names, "user", [self.assignee.data])]
        self.urgency.choices = [("", _l("— choose —"))] + [(u.value, u.label) for u in Urgency]


class OnBehalfForm(TicketForm):
    """The filing form, plus the locality picked by name or code, the channel, the incoming document and its
    scan (the attachments)."""

    locality = SelectField(_l("Submitting locality"), validate_choice=False, validators=[
        DataRequired(REQUIRED), Length(max=5, message=_l("At most %(max)d characters.", max=5))],
        description=_l("Type a name or a statistics office code: “hoan kiem” or 00070 finds Phường Hoàn Kiếm; "
                       "01 is Thành phố Hà Nội."))
    channel = SelectField(_l("Received by"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    incoming_doc_number = StringField(_l("Document number"), validators=[
        Optional(), Length(max=DOC_NUMBER_MAX, message=_l("At most %(max)d characters.", max=DOC_NUMBER_MAX))],
        description=_l("Required for an official dispatch. Example: 125/UBND-NV"))
    incoming_doc_date = LocalDateField(_l("Document date"), description=_l(
        "Required for an official dispatch: dd/mm/yyyy, e.g. 12/06/2025."))
    attachments = MultipleFileField(_l("Scan of the incoming document and annexes"), description=_l(
        "The dispatch as received (PDF or image) and its annexes: PDF, Word, Excel, OpenDocument, JPEG or PNG."))

    def fill_choices(self, categories, localities=()) -> None:
        super().fill_choices(categories, localities)
        self.channel.choices = [("", _l("— choose —"))] + [(c.value, c.label) for c in OFFLINE_CHANNELS]
        names = choices.names_of(locality=[self.locality.data])
        self.locality.choices = [("", _l("— choose —")), *_chosen(names, "locality", [self.locality.data])]


def _explicit_day(ticket):
    return local_date(ticket.explicit_due_at) if ticket.explicit_due_at else None
