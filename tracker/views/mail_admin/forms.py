from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..forms import REQUIRED


class RetryForm(FlaskForm):
    """An empty form: it carries the CSRF token of the retry button."""


class PreviewForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    email = StringField(_l("Recipient's email"), validators=[
        DataRequired(REQUIRED), Length(max=254, message=_l("This email is too long."))])
    week = StringField(_l("Week (YYYY-Www)"), validators=[
        DataRequired(REQUIRED), Length(max=20, message=_l("At most %(max)d characters.", max=20))])
