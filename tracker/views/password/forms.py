from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class ForgotForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(_l("Enter your email.")),
                                                 Length(max=254, message=_l("This email is too long."))])


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter your password."))])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(_l("Enter your password."))])
