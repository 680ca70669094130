"""The ticket lifecycle primitives: every status change goes through set_status and the TRANSITIONS table.

A status change carries its consequences in one place (`_follow`): the first response, the clock paused
while the locality is asked and resumed after, the answered and closed times, and the SLA state.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l

from .enums import Status, can_transition
from .errors import DomainError, StaleTicket
from .history import record
from .models import Ticket, User
from .worktime import deadlines

# Checked and routed, or the locality asked for what is missing: the first response (GLOSSARY.md).
FIRST_RESPONSE_STATUSES = frozenset({Status.ASSIGNED, Status.AWAITING_LOCALITY})


def check_version(ticket: Ticket, version: int | str | None) -> None:
    """Optimistic locking: refuse a change made from a stale form."""
    try:
        seen = int(version)
    except (TypeError, ValueError):
        seen = None
    if seen != ticket.version:
        raise StaleTicket(_l("Someone else changed this obstacle while you were editing it. "
                             "Review the latest version below and try again."), "version")


def set_status(ticket: Ticket, user: User | None, target: Status, now: dt.datetime) -> None:
    current = ticket.status_enum
    if not can_transition(current, target):
        raise DomainError(_l("An obstacle that is %(current)s cannot become %(target)s.",
                             current=current.label, target=target.label), "status")
    record(ticket, user, "status", "status", current.value, target.value, at=now)
    ticket.status = target.value
    _follow(ticket, current, target, now)


def _follow(ticket: Ticket, old: Status, new: Status, now: dt.datetime) -> None:
    if new in FIRST_RESPONSE_STATUSES and ticket.first_responded_at is None:
        ticket.first_responded_at = now
    if new is Status.AWAITING_LOCALITY and ticket.paused_at is None:
        deadlines.pause(ticket, old, now)
    elif old is Status.AWAITING_LOCALITY and ticket.paused_at is not None:
        deadlines.resume(ticket, now)
    if new is Status.ANSWERED:
        ticket.answered_at = now
        deadlines.measure_answer(ticket)
    if not new.is_open:
        ticket.closed_at = now
    deadlines.follow_status(ticket, old, new, now)


def resume_after_locality(ticket: Ticket, user: User | None, now: dt.datetime) -> None:
    """Back to where the obstacle was before the locality was asked."""
    set_status(ticket, user, Status(ticket.paused_status or Status.NEW), now)
