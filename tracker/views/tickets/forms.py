from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...enums import RequestedUrgency
from ...submissions import new_token
from ...tickets import TEXT_MAX, TITLE_MAX
from ..forms import REQUIRED, VersionedForm


class TicketForm(FlaskForm):
    """The filing form; each field says what to write, with an example."""

    locality = SelectField(_l("Submitting locality"), validate_choice=False, description=_l(
        "The province itself or one of its communes. Type to search: “hoan kiem” finds Phường Hoàn Kiếm."))
    category = SelectField(_l("Category"), validate_choice=False, validators=[DataRequired(REQUIRED)],
                           description=_l("The area the obstacle concerns; it decides which unit answers. "
                                          "Example: Biên chế, vị trí việc làm."))
    title = StringField(_l("Title"), validators=[
        DataRequired(REQUIRED), Length(max=TITLE_MAX, message=_l("At most %(max)d characters.", max=TITLE_MAX))],
        description=_l("One sentence that names the obstacle. Example: Vướng mắc xác định biên chế công chức "
                       "cấp xã sau sắp xếp."))
    description = TextAreaField(_l("Description"), validators=[
        DataRequired(REQUIRED), Length(max=TEXT_MAX, message=_l("At most %(max)d characters.", max=TEXT_MAX))],
        description=_l("What happens, what the locality has already done and what it asks the Ministry. Example: "
                       "Phường chưa được giao biên chế cho Trung tâm phục vụ hành chính công; đề nghị Bộ hướng "
                       "dẫn cách xác định."))
    legal_basis = TextAreaField(_l("Legal basis"), validators=[
        Optional(), Length(max=TEXT_MAX, message=_l("At most %(max)d characters.", max=TEXT_MAX))],
        description=_l("The documents concerned, as the State writes them (optional). Example: Nghị định "
                       "150/2025/NĐ-CP, Điều 5."))
    urgency = SelectField(_l("Urgency"), validate_choice=False, default=RequestedUrgency.NORMAL.value,
                          validators=[DataRequired(REQUIRED)],
                          description=_l("Urgent only when a deadline or the service to citizens is at stake; "
                                         "the rapid-response team sets the final level."))
    attachments = MultipleFileField(_l("Attachments"), description=_l(
        "Official letters, scans, spreadsheets (optional): PDF, Word, Excel, OpenDocument, JPEG or PNG."))
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
