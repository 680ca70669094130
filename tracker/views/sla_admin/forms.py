from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ...calendar import REASON_MAX
from ...enums import Urgency
from ...extensions import db
from ...forms import REQUIRED
from ...models import Category
from .fields import LocalDateField

WHOLE_HOURS = _l("Enter a whole number of working hours.")


class OverrideForm(FlaskForm):
    day = LocalDateField(_l("Date"), validators=[DataRequired(REQUIRED)])
    kind = SelectField(_l("This date is"), choices=[("off", _l("a day off")), ("working", _l("a working day"))],
                       validators=[DataRequired(REQUIRED)])
    reason = StringField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=REASON_MAX)])


class DeleteForm(FlaskForm):
    """CSRF only."""


class PolicyForm(FlaskForm):
    urgency = SelectField(_l("Urgency"), validators=[DataRequired(REQUIRED)])
    category = SelectField(_l("Category"), validate_choice=False)
    first_response_hours = IntegerField(_l("First response (working hours)"),
                                        validators=[InputRequired(WHOLE_HOURS)])
    answer_hours = IntegerField(_l("Answer (working hours)"), validators=[InputRequired(WHOLE_HOURS)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.urgency.choices = [(u.value, u.label) for u in Urgency]
        categories = db.session.scalars(select(Category).where(Category.active.is_(True))
                                        .order_by(Category.position)).all()
        self.category.choices = [("", _l("— every category (default) —"))] + [(c.code, c.name) for c in categories]
        for f in (self.first_response_hours, self.answer_hours):
            f.gettext = lambda _message, f=f: str(WHOLE_HOURS)
