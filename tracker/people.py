"""Who works where: the people an obstacle concerns, found in one query each (active accounts only)."""
from __future__ import annotations

from sqlalchemy import select

from .enums import Role
from .extensions import db
from .models import Ticket, User


def unit_specialists(unit_id: int) -> list[User]:
    """The unit's active specialists, in a stable order (deactivated users are never auto-assigned)."""
    return list(db.session.scalars(
        select(User).where(User.unit_id == unit_id, User.role == Role.SPECIALIST.value, User.active.is_(True))
        .order_by(User.id)))


def specialists_by_unit() -> dict[int, list[User]]:
    """Every active specialist, grouped by unit and sorted by name: what assignee pickers offer."""
    users = db.session.scalars(select(User).where(User.role == Role.SPECIALIST.value, User.active.is_(True))
                               .order_by(User.name)).all()
    grouped: dict[int, list[User]] = {}
    for user in users:
        if user.unit_id:
            grouped.setdefault(user.unit_id, []).append(user)
    return grouped


def locality_officers(ticket: Ticket) -> list[User]:
    """The filing locality's users: a commune's officers; for a province's own obstacle its coordinators."""
    role = Role.PROVINCE if ticket.locality.is_province else Role.COMMUNE
    return list(db.session.scalars(
        select(User).where(User.role == role.value, User.locality_id == ticket.locality_id,
                           User.active.is_(True)).order_by(User.id)))


def escalation_recipients(ticket: Ticket) -> list[User]:
    """The lead unit's head(s) and the team leads, each once."""
    heads = []
    if ticket.lead_unit_id:
        heads = db.session.scalars(select(User).where(User.active.is_(True), User.is_unit_head.is_(True),
                                                      User.unit_id == ticket.lead_unit_id)).all()
    leads = db.session.scalars(select(User).where(User.active.is_(True), User.role == Role.LEAD.value)).all()
    unique = {user.id: user for user in [*heads, *leads]}
    return [unique[key] for key in sorted(unique)]
