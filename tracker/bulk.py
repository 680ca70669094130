"""Bulk triage on a queue: every ticket goes through triage_ticket, and any refusal refuses them all."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l

from .enums import Urgency
from .errors import DomainError
from .extensions import db
from .lookups import chosen
from .models import Ticket, Unit, User
from .permissions import visible_tickets
from .tickets import chosen_assignee, triage_ticket

BULK_MAX = 200
ACTIONS = ("assign", "urgency")


def load_for_bulk(user: User, references: list[str]) -> list[Ticket]:
    """The chosen tickets, locked, in one query; a reference the user may not see is refused by name."""
    references = list(dict.fromkeys(r.strip() for r in references if r and r.strip()))
    if not references:
        raise DomainError(_l("Select at least one obstacle."), "tickets")
    if len(references) > BULK_MAX:
        raise DomainError(_l("Select at most %(max)d obstacles at once.", max=BULK_MAX), "tickets")
    found = {t.reference: t for t in db.session.scalars(
        visible_tickets(user).where(Ticket.reference.in_(references)).with_for_update())}
    missing = next((r for r in references if r not in found), None)
    if missing:
        raise DomainError(_l("%(reference)s: this obstacle does not exist.", reference=missing[:30]), "tickets")
    return [found[r] for r in references]


def _each(tickets: list[Ticket], versions: dict[str, str] | None, change) -> None:
    """`versions=None`: the caller (an API client) names no versions, so each ticket's current one is taken."""
    for ticket in tickets:
        try:
            change(ticket, ticket.version if versions is None else versions.get(ticket.reference))
        except DomainError as error:
            raise type(error)(_l("%(reference)s: %(message)s", reference=ticket.reference, message=error.message),
                              error.field) from error  # a stale ticket stays a StaleTicket


def bulk_assign(user: User, tickets: list[Ticket], versions: dict[str, str] | None, *, unit: Unit | None,
                assignee: User | None, now: dt.datetime) -> None:
    """Route every chosen ticket to a unit (and optionally one of its specialists)."""
    if unit is None:
        raise DomainError(_l("Choose the lead unit."), "unit")
    _each(tickets, versions, lambda ticket, version: triage_ticket(
        user, ticket, version=version, category=ticket.category, urgency=ticket.urgency,
        lead_unit=unit, assignee=assignee, now=now))


def bulk_set_urgency(user: User, tickets: list[Ticket], versions: dict[str, str] | None, *, urgency: str,
                     now: dt.datetime) -> None:
    if urgency not in {u.value for u in Urgency}:
        raise DomainError(_l("Choose an urgency from the list."), "urgency")
    _each(tickets, versions, lambda ticket, version: triage_ticket(
        user, ticket, version=version, category=ticket.category, urgency=urgency,
        lead_unit=ticket.lead_unit, assignee=ticket.assignee, now=now))


def bulk_triage(user: User, references: list[str], versions: dict[str, str | int | None] | None, *, action: str,
                unit: str | None = None, assignee: str | int | None = None, urgency: str | None = None,
                now: dt.datetime) -> list[Ticket]:
    """One bulk action from the triage queue or the API, by codes: `assign` (a unit code, optionally a
    specialist's id) or `urgency`. Returns the tickets changed; any refusal refuses them all."""
    tickets = load_for_bulk(user, references)
    if action == "urgency":
        bulk_set_urgency(user, tickets, versions, urgency=urgency or "", now=now)
    else:
        bulk_assign(user, tickets, versions, now=now, unit=chosen(Unit, unit, "unit"),
                    assignee=chosen_assignee(assignee))
    return tickets
