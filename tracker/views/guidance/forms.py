from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...extensions import db
from ...guidance import DOC_NUMBER_MAX
from ...models import Category
from ...tickets import TEXT_MAX, TITLE_MAX
from ..forms import REQUIRED, LocalDateField


def _max(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


class GuidanceForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), _max(TITLE_MAX)])
    question = TextAreaField(_l("Question"), validators=[DataRequired(REQUIRED), _max(TEXT_MAX)])
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(REQUIRED), _max(TEXT_MAX)])
    category = SelectField(_l("Category"), validate_choice=False)
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Optional(), _max(TEXT_MAX)])
    reply_doc_number = StringField(_l("Reply document number"), validators=[Optional(), _max(DOC_NUMBER_MAX)])
    reply_doc_date = LocalDateField(_l("Reply document date"))
    keep_names = BooleanField(_l("Keep the names of localities and officers on purpose"))

    def fill_choices(self) -> None:
        categories = db.session.scalars(select(Category).where(Category.active.is_(True))
                                        .order_by(Category.position)).all()
        self.category.choices = [("", _l("— choose —"))] + [(c.code, c.name) for c in categories]

    def fill_from(self, draft) -> None:
        self.title.data, self.question.data, self.answer.data = draft.title, draft.question, draft.answer
        self.category.data = draft.category.code if draft.category else ""
        self.legal_basis.data, self.reply_doc_number.data = draft.legal_basis, draft.reply_doc_number
        self.reply_doc_date.data = draft.reply_doc_date
