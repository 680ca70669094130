import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...extensions import db
from ...models import Category, Unit
from ...people import specialists_by_unit
from ...tickets import TITLE_MAX
from ..forms import REQUIRED, LocalDateField, VersionedForm
from ..workflow.forms import AnswerForm

REFERENCES_MAX = 20_000
_REFERENCE = re.compile(r"PUN-\d{4}-\d{6}", re.IGNORECASE)


def _max(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def references_in(text: str | None) -> list[str]:
    """The obstacle references written in a text (one per line, or separated by commas or spaces)."""
    return [r.upper() for r in _REFERENCE.findall(text or "")]


class NewIssueForm(FlaskForm):
    """A new issue: its title and the obstacles, chosen in a queue (`tickets` values) or typed (`references`)."""

    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), _max(TITLE_MAX)])
    references = TextAreaField(_l("References of the obstacles"), validators=[Optional(), _max(REFERENCES_MAX)])


class LinkForm(FlaskForm):
    reference = StringField(_l("Reference of the obstacle"), validators=[DataRequired(REQUIRED), _max(20)])


class UnlinkForm(FlaskForm):
    reference = HiddenField(validators=[DataRequired(REQUIRED), _max(20)])


class RouteForm(VersionedForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), _max(TITLE_MAX)])
    category = SelectField(_l("Category"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    lead_unit = SelectField(_l("Lead unit"), validate_choice=False)
    assignee = SelectField(_l("Assignee"), validate_choice=False)
    due_on = LocalDateField(_l("Deadline (optional)"))

    @classmethod
    def for_issue(cls, issue, formdata=None):
        form = cls(formdata=formdata, version=issue.version, title=issue.title,
                   category=issue.category.code if issue.category else "",
                   lead_unit=issue.lead_unit.code if issue.lead_unit else "",
                   assignee=str(issue.assignee_id or ""), due_on=issue.due_on)
        if formdata is None:
            form.version.data = issue.version
        form.fill_choices()
        return form

    def fill_choices(self) -> None:
        categories = db.session.scalars(select(Category).where(Category.active.is_(True))
                                        .order_by(Category.position)).all()
        units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
        self.category.choices = [("", _l("— choose —"))] + [(c.code, c.name) for c in categories]
        self.lead_unit.choices = [("", _l("— not yet —"))] + [(u.code, u.name) for u in units]
        by_unit = specialists_by_unit()
        self.assignee.choices = [("", _l("— nobody yet —"))] + [
            (str(user.id), f"{user} — {unit.name}") for unit in units for user in by_unit.get(unit.id, [])]


class IssueAnswerForm(AnswerForm):
    """The obstacle's answer form: the answer, outcome and reply document reach every linked obstacle."""
