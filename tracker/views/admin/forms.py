from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ... import choices
from ...accounts import TOKEN_MAX_DAYS, TOKEN_NAME_MAX
from ...catalog import EMAIL_MAX, KEYWORD_MAX, NAME_MAX
from ...enums import Role
from ...extensions import db
from ...models import Category, Unit
from ...routing import Strategy
from ..forms import REQUIRED


def _max(n):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def _units(active_only=True):
    query = select(Unit).order_by(Unit.name)
    if active_only:
        query = query.where(Unit.active.is_(True))
    return [("", _l("— none —"))] + [(u.code, u.name) for u in db.session.scalars(query)]


NONE = _l("— none —")


def locality_picker(field, lookup: str, empty=NONE) -> None:
    """A locality picked by name as one types (the lookup); the page holds only the chosen one."""
    code = field.data or ""
    names = choices.names_of(locality=[code])
    field.choices = [("", empty)] + ([(code, names.get(("locality", code), code))] if code else [])
    field.render_kw = {"data-picker": "", "data-lookup": lookup}


POSITION = [Optional(), NumberRange(min=0, max=100_000, message=_l("Enter a whole number from 0 to 100000."))]


class UserForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(REQUIRED), _max(254)])
    name = StringField(_l("Name"), validators=[Optional(), _max(120)])
    role = SelectField(_l("Role"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    locality = SelectField(_l("Locality (for commune and province roles)"), validate_choice=False,
                           validators=[Optional(), _max(5)])
    unit = SelectField(_l("Unit"), validate_choice=False)
    is_unit_head = BooleanField(_l("Head of the unit"))
    # The policy (length, common passwords) is passwords.check_new_password's, in the domain.
    password = PasswordField(_l("Password (leave empty to generate one)"), validators=[Optional()])

    def fill_choices(self) -> None:
        self.role.choices = [("", _l("— choose —"))] + [(r.value, r.label) for r in Role]
        self.unit.choices = _units()
        self.unit.render_kw = {"data-picker": ""}
        locality_picker(self.locality, url_for("lookup.localities"))


class EditUserForm(UserForm):
    email = None
    password = None


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password (leave empty to generate one)"), validators=[Optional()])


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[Optional(), _max(TOKEN_NAME_MAX)])
    expires_in_days = IntegerField(
        _l("Stops working after (days; empty: never)"),
        validators=[Optional(), NumberRange(1, TOKEN_MAX_DAYS, _l("From 1 to %(max)d days.", max=TOKEN_MAX_DAYS))])
    read_only = BooleanField(_l("Read only (it may read; every change answers 403)"))


class ButtonForm(FlaskForm):
    """A POST button: only the CSRF token."""


class UnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), _max(40)])
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), _max(NAME_MAX)])
    name_en = StringField(_l("English name"), validators=[Optional(), _max(NAME_MAX)])
    email = StringField(_l("Email"), validators=[Optional(), _max(EMAIL_MAX)])
    is_external = BooleanField(_l("Another ministry or agency"))
    active = BooleanField(_l("Active"), default=True)

    def fill_choices(self) -> None:
        pass


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), _max(40)])
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), _max(NAME_MAX)])
    name_en = StringField(_l("English name"), validators=[Optional(), _max(NAME_MAX)])
    default_unit = SelectField(_l("Default lead unit"), validate_choice=False)
    position = IntegerField(_l("Position"), default=0, validators=POSITION)
    active = BooleanField(_l("Active"), default=True)

    def fill_choices(self) -> None:
        self.default_unit.choices = _units()
        self.default_unit.render_kw = {"data-picker": ""}


class RuleForm(FlaskForm):
    position = IntegerField(_l("Position (empty: last)"), validators=POSITION)
    category = SelectField(_l("Category"), validate_choice=False)
    province = SelectField(_l("Province"), validate_choice=False, validators=[Optional(), _max(5)])
    keyword = StringField(_l("Keyword in the title"), validators=[Optional(), _max(KEYWORD_MAX)])
    unit = SelectField(_l("Lead unit"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    strategy = SelectField(_l("Assignment"), validate_choice=False, validators=[DataRequired(REQUIRED)])
    active = BooleanField(_l("Active"), default=True)

    def fill_choices(self) -> None:
        categories = db.session.scalars(select(Category).order_by(Category.position, Category.id))
        self.category.choices = [("", _l("— any —"))] + [(c.code, c.name) for c in categories]
        self.unit.choices = _units()
        self.strategy.choices = [(s.value, s.label) for s in Strategy]
        for picker in (self.category, self.unit):
            picker.render_kw = {"data-picker": ""}
        locality_picker(self.province, url_for("lookup.localities", level="province"), _l("— any —"))
