from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from ...saved_views import NAME_MAX, QUERY_MAX
from ..forms import REQUIRED


class SaveViewForm(FlaskForm):
    """The current page (tickets, triage, unit, mine) and its query string, kept under a name."""

    name = StringField(_l("Name of the view"), validators=[
        DataRequired(REQUIRED), Length(max=NAME_MAX, message=_l("At most %(max)d characters.", max=NAME_MAX))])
    page = HiddenField()
    query = HiddenField(validators=[Length(max=QUERY_MAX * 2)])


class DeleteViewForm(FlaskForm):
    """A button: only the CSRF token."""
