from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from ...enums import Urgency
from ...extensions import db
from ...models import Category
from ...worktime.calendar import REASON_MAX
from ..forms import REQUIRED, LocalDateField
from .fields import WHOLE_HOURS, WholeHoursField

CHOOSE_FROM_LIST = _l("Choose a value from the list.")


class OverrideForm(FlaskForm):
    day = LocalDateField(_l("Date"), validators=[InputRequired(REQUIRED)])
    kind = SelectField(_l("This date is"), validate_choice=False,
                       validators=[DataRequired(REQUIRED), AnyOf(("off", "working"), CHOOSE_FROM_LIST)])
    reason = StringField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=REASON_MAX, message=_l(
        "The reason is too long (at most %(max)d characters).", max=REASON_MAX))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("off", _l("a day off")), ("working", _l("a working day"))]


class DeleteForm(FlaskForm):
    """CSRF only."""


class PolicyForm(FlaskForm):
    urgency = SelectField(_l("Urgency"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    category = SelectField(_l("Category"), validate_choice=False)
    first_response_hours = WholeHoursField(_l("First response (working hours)"),
                                        validators=[InputRequired(WHOLE_HOURS)])
    answer_hours = WholeHoursField(_l("Answer (working hours)"), validators=[InputRequired(WHOLE_HOURS)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.urgency.choices = [(u.value, u.label) for u in Urgency]
        categories = db.session.scalars(select(Category).where(Category.active.is_(True))
                                        .order_by(Category.position)).all()
        self.category.choices = [("", _l("— every category (default) —"))] + [(c.code, c.name) for c in categories]
