from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField

from ... import queries
from ...enums import Urgency
from ...extensions import db
from ...forms import REQUIRED, VersionedForm
from ...models import Category, Unit
from ..sla_admin.fields import LocalDateField
from wtforms.validators import DataRequired


class TriageForm(VersionedForm):
    category = SelectField(_l("Category"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    urgency = SelectField(_l("Urgency"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    lead_unit = SelectField(_l("Lead unit"), validate_choice=False)
    assignee = SelectField(_l("Assignee"), validate_choice=False)
    due_date = LocalDateField(_l("Deadline named by a directive (optional)"))

    @classmethod
    def for_ticket(cls, ticket, formdata=None):
        form = cls(formdata=formdata, version=ticket.version,
                   category=ticket.category.code, urgency=ticket.urgency,
                   lead_unit=ticket.lead_unit.code if ticket.lead_unit else "",
                   assignee=str(ticket.assignee_id or ""),
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
        by_unit = queries.specialists_by_unit()
        self.assignee.choices = [("", _l("— nobody yet —"))] + [
            (str(user.id), f"{user} — {unit.name}") for unit in units for user in by_unit.get(unit.id, [])
        ]


def _explicit_day(ticket):
    from ...sla import local_zone

    return ticket.explicit_due_at.astimezone(local_zone()).date() if ticket.explicit_due_at else None
