from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from ...enums import Outcome
from ...localtime import parse_local_date
from ...tickets import TEXT_MAX
from ...workflow import AGENCY_MAX, COMMENT_MAX, DOC_NUMBER_MAX
from ..forms import REQUIRED, VersionedForm


def _max(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def _text(label, max_length=TEXT_MAX, required=True):
    return TextAreaField(label, validators=[DataRequired(REQUIRED) if required else Optional(), _max(max_length)])


def _reference(label):
    return StringField(label, validators=[DataRequired(REQUIRED), _max(20)])


class AnswerForm(VersionedForm):
    body = _text(_l("Answer"))
    outcome = SelectField(_l("Outcome"), validate_choice=False, validators=[DataRequired(REQUIRED)],
                          choices=[("", _l("— choose —"))] + [(o.value, o.label) for o in Outcome])
    reply_doc_number = StringField(_l("Reply document number"), validators=[Optional(), _max(DOC_NUMBER_MAX)])
    reply_doc_date = StringField(_l("Reply document date"), validators=[Optional(), _max(10)])
    attachments = MultipleFileField(_l("Attachments"))

    def validate_reply_doc_date(self, field):
        self.parsed_doc_date = None
        if not (field.data or "").strip():
            return
        try:
            self.parsed_doc_date = parse_local_date(field.data)
        except ValueError:
            raise ValidationError(_l("Write the date as dd/mm/yyyy.")) from None


class AskForm(VersionedForm):
    body = _text(_l("Question to the locality"))
    attachments = MultipleFileField(_l("Attachments"))


class ReopenForm(VersionedForm):
    reason = _text(_l("Reason"))


class RateForm(VersionedForm):
    score = SelectField(_l("Satisfaction"), validate_choice=False, validators=[DataRequired(REQUIRED)],
                        choices=[("", _l("— choose —"))] + [(str(n), str(n)) for n in range(5, 0, -1)])
    comment = _text(_l("Comment"), COMMENT_MAX, required=False)


class DuplicateForm(VersionedForm):
    main = _reference(_l("Reference of the main obstacle"))


class LinkForm(FlaskForm):
    other = _reference(_l("Reference of the related obstacle"))


class TransferForm(VersionedForm):
    agency = StringField(_l("Competent agency"), validators=[DataRequired(REQUIRED), _max(AGENCY_MAX)])
    note = _text(_l("Note to the locality"))


FORMS = {"answer_form": AnswerForm, "ask_form": AskForm, "reopen_form": ReopenForm, "rate_form": RateForm,
         "duplicate_form": DuplicateForm, "link_form": LinkForm, "transfer_form": TransferForm}


def fresh_forms(ticket, **given) -> dict:
    """Every workflow form for the ticket page, at the ticket's current version; `given` ones kept as sent."""
    forms = {}
    for name, cls in FORMS.items():
        form = given.get(name)
        if form is None:
            form = cls(formdata=None)
            if hasattr(form, "version"):
                form.version.data = ticket.version
        forms[name] = form
    return forms
