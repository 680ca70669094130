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


def province_coordinators(province_id: int) -> list[User]:
    """The active coordinators of a province: they follow their communes' obstacles."""
    return list(db.session.scalars(select(User).where(User.role == Role.PROVINCE.value, User.active.is_(True),
                                                      User.locality_id == province_id).order_by(User.id)))


def unit_heads(unit_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.is_unit_head.is_(True),
                                                      User.unit_id == unit_id).order_by(User.id)))


def triage_coordinators() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.role == Role.TRIAGE.value)
                                   .order_by(User.id)))


def team_leads() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.role == Role.LEAD.value)
                                   .order_by(User.id)))


def responsible_people(ticket: Ticket) -> list[User]:
    """Who should act on the obstacle now: its assignee; else the lead unit's head(s); else (no unit, or a
    unit without a head) the triage coordinators. Nobody is left out of a warning."""
    if ticket.assignee is not None and ticket.assignee.active:
        return [ticket.assignee]
    heads = unit_heads(ticket.lead_unit_id) if ticket.lead_unit_id else []
    return heads or triage_coordinators()


def escalation_recipients(ticket: Ticket) -> list[User]:
    """The lead unit's head(s) (triage when the obstacle has no unit yet) and the team leads, each once."""
    first = unit_heads(ticket.lead_unit_id) if ticket.lead_unit_id else triage_coordinators()
    unique = {user.id: user for user in [*first, *team_leads()]}
    return [unique[key] for key in sorted(unique)]
