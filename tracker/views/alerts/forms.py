from flask_wtf import FlaskForm
from wtforms import RadioField

from ...alerts.preferences import is_locked, settable_kinds
from ...enums import Delivery, NotificationKind
from ...models import User


class MarkReadForm(FlaskForm):
    """An empty form: it carries the CSRF token of the mark-as-read buttons."""


def settings_form(user: User, current: dict[NotificationKind, Delivery]) -> FlaskForm:
    """One radio group per kind the user chooses for (locked kinds are shown, not asked); the choice itself is
    judged by alerts.preferences.save_settings, whose message lands beside the group."""

    class SettingsForm(FlaskForm):
        pass

    for kind in settable_kinds(user):
        if not is_locked(user, kind):
            setattr(SettingsForm, kind.value, RadioField(
                kind.label, choices=[(d.value, d.label) for d in Delivery], default=current[kind].value,
                validate_choice=False))
    return SettingsForm()
