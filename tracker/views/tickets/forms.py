from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...enums import RequestedUrgency
from ...submissions import new_token
from ...tickets import TEXT_MAX, TITLE_MAX
from ..forms import REQUIRED, VersionedForm


class TicketForm(FlaskForm):
    locality = SelectField(_l("Submitting locality"), validate_choice=False)
    category = SelectField(_l("Category"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    title = StringField(_l("Title"), validators=[
        DataRequired(REQUIRED), Length(max=TITLE_MAX, message=_l("At most %(max)d characters.", max=TITLE_MAX))])
    description = TextAreaField(_l("Description"), validators=[
        DataRequired(REQUIRED), Length(max=TEXT_MAX, message=_l("At most %(max)d characters.", max=TEXT_MAX))])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[
        Optional(), Length(max=TEXT_MAX, message=_l("At most %(max)d characters.", max=TEXT_MAX))])
    urgency = SelectField(_l("Urgency"), validate_choice=False, default=RequestedUrgency.NORMAL.value,
                          validators=[DataRequired(REQUIRED)])
    attachments = MultipleFileField(_l("Attachments"))
    # A new token with each empty form, sent back as it was: submissions.py files one obstacle per token.
    submission = HiddenField(default=new_token)

    def fill_choices(self, categories, localities) -> None:
        self.category.choices = [("", _l("— choose —"))] + [(c.code, c.name) for c in categories]
        self.urgency.choices = [(u.value, u.label) for u in RequestedUrgency]
        self.locality.choices = [(loc.code, loc.name) for loc in localities]


class MessageForm(VersionedForm):
    body = TextAreaField(_l("Message"), validators=[
        DataRequired(REQUIRED), Length(max=TEXT_MAX, message=_l("At most %(max)d characters.", max=TEXT_MAX))])
    internal = BooleanField(_l("Internal note (only the team sees it)"))
    attachments = MultipleFileField(_l("Attachments"))


class ActionForm(VersionedForm):
    """A button that changes the ticket: only the CSRF token and the version."""
