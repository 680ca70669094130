"""Per-user notification settings: immediately, a daily summary, or no email, per kind of event.

Without a stored choice the role's default applies. The filing locality's "your obstacle was answered" is
not a setting: it is always emailed at once (so are the team's replies to it and the news that it was merged
or transferred). A province coordinator's setting for answers covers the obstacles of its communes.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..enums import Delivery, NotificationKind, Role
from ..errors import DomainError
from ..extensions import db
from ..models import NotificationPreference, User

K, D = NotificationKind, Delivery
_TEAM = {K.ASSIGNED: D.IMMEDIATE, K.LOCALITY_REPLY: D.IMMEDIATE, K.AT_RISK: D.IMMEDIATE, K.BREACHED: D.IMMEDIATE}

# The kinds each role chooses for, with their defaults. The lead watches the whole picture: deadline
# crossings arrive as one summary a day, not one email an hour.
ROLE_DEFAULTS: dict[Role, dict[NotificationKind, Delivery]] = {
    Role.COMMUNE: {K.ANSWERED: D.IMMEDIATE},
    Role.PROVINCE: {K.ANSWERED: D.DAILY},
    Role.TRIAGE: _TEAM,
    Role.SPECIALIST: _TEAM,
    Role.LEAD: {**_TEAM, K.AT_RISK: D.DAILY, K.BREACHED: D.DAILY},
    Role.ADMIN: {**_TEAM, K.AT_RISK: D.DAILY, K.BREACHED: D.DAILY},
}
# Shown on the settings page but not changeable: a commune must learn its obstacle was answered.
LOCKED = frozenset({(Role.COMMUNE, K.ANSWERED)})


def settable_kinds(user: User) -> list[NotificationKind]:
    return list(ROLE_DEFAULTS.get(user.role_enum, {}))


def is_locked(user: User, kind: NotificationKind) -> bool:
    return (user.role_enum, kind) in LOCKED


def default_delivery(user: User, kind: NotificationKind) -> Delivery:
    return ROLE_DEFAULTS.get(user.role_enum, {}).get(kind, D.IMMEDIATE)


def settings_of(user: User) -> dict[NotificationKind, Delivery]:
    """The user's delivery for every kind they choose for (stored choice, else the role's default)."""
    stored = dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.delivery)
                                     .where(NotificationPreference.user_id == user.id)).all())
    return {kind: _chosen(user, kind, stored.get(kind)) for kind in settable_kinds(user)}


def deliveries(users: Iterable[User], kind: NotificationKind) -> dict[int, Delivery]:
    """Each user's delivery for one kind, in one query however many users."""
    users = list(users)
    if not users:
        return {}
    stored = dict(db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.delivery).where(
            NotificationPreference.kind == kind.value,
            NotificationPreference.user_id.in_([u.id for u in users]))).all())
    return {u.id: _chosen(u, kind, stored.get(u.id)) for u in users}


def _chosen(user: User, kind: NotificationKind, stored: str | None) -> Delivery:
    if is_locked(user, kind) or stored not in set(Delivery):
        return default_delivery(user, kind)
    return Delivery(stored)


def save_settings(user: User, choices: Mapping[str, str]) -> list[NotificationKind]:
    """Store the user's choices (kind value → delivery value); returns the kinds that changed. Flushes.

    Every settable, unlocked kind must be given a known delivery: nothing is stored otherwise.
    """
    current = settings_of(user)
    wanted: dict[NotificationKind, Delivery] = {}
    for kind in settable_kinds(user):
        if is_locked(user, kind):
            continue
        value = choices.get(kind.value)
        if value not in set(Delivery):
            raise DomainError(_l("Choose how to receive this notification."), kind.value)
        wanted[kind] = Delivery(value)
    stored = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind, delivery in wanted.items():
        if kind.value in stored:
            stored[kind.value].delivery = delivery.value
        else:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind.value, delivery=delivery.value))
    db.session.flush()
    return [kind for kind, delivery in wanted.items() if current[kind] is not delivery]
