"""Who may see and do what. Every ticket query starts from visible_tickets(user)."""
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, false, select

from .enums import Role, Status
from .extensions import db
from .models import Ticket, User

TEAM_ROLES = frozenset({Role.TRIAGE, Role.SPECIALIST, Role.LEAD, Role.ADMIN})


def visible_tickets(user: User) -> Select:
    """The one visibility scope: a select of the tickets this user may see."""
    query = select(Ticket)
    role = user.role_enum
    if role in TEAM_ROLES:
        return query
    if role is Role.PROVINCE and user.locality_id:
        return query.where(Ticket.province_id == user.locality_id)
    if role is Role.COMMUNE and user.locality_id:
        return query.where(Ticket.locality_id == user.locality_id)
    return query.where(false())


def get_visible_ticket(user: User, reference: str, *, for_update: bool = False) -> Ticket:
    """The single-ticket loader: 404 for what the user may not see."""
    query = visible_tickets(user).where(Ticket.reference == reference)
    if for_update:
        query = query.with_for_update()
    ticket = db.session.scalars(query).first()
    if ticket is None:
        abort(404)
    return ticket


def role_required(*roles: Role):
    """Allow only these roles; others get 404 so the route's existence is not disclosed."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from flask import current_app

                return current_app.login_manager.unauthorized()
            if current_user.role_enum not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_team(user: User) -> bool:
    return user.role_enum in TEAM_ROLES


def can_file(user: User) -> bool:
    return user.role_enum in (Role.COMMUNE, Role.PROVINCE) and user.locality_id is not None


def can_triage(user: User) -> bool:
    return user.role_enum in (Role.TRIAGE, Role.LEAD, Role.ADMIN)


def can_see_internal(user: User) -> bool:
    return is_team(user)


def can_reply(user: User, ticket: Ticket) -> bool:
    """The team answers; the filing locality (and its province) writes back while the ticket is open."""
    if not ticket.is_open:
        return False
    if is_team(user):
        return user.role_enum is not Role.SPECIALIST or _works_on(user, ticket)
    return True  # visibility already limits localities to their own tickets


def can_add_note(user: User, ticket: Ticket) -> bool:
    return is_team(user)


def can_work_on(user: User, ticket: Ticket) -> bool:
    return can_triage(user) or (user.role_enum is Role.SPECIALIST and _works_on(user, ticket))


def _works_on(user: User, ticket: Ticket) -> bool:
    if ticket.assignee_id == user.id:
        return True
    if user.unit_id is None:
        return False
    return ticket.lead_unit_id == user.unit_id or any(u.id == user.unit_id for u in ticket.coordinating_units)


def can_set_triage_fields(user: User, ticket: Ticket) -> bool:
    return can_triage(user) and ticket.status_enum in (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS)
