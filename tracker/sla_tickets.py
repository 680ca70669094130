"""Storing a ticket's deadlines: at filing, on urgency/category change, explicit deadlines, pause and resume."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import sla
from .calendar import WorkingCalendar, load_calendar
from .enums import Status
from .extensions import db
from .models import SlaPolicy, Ticket, User, utcnow
from .reference import SLA_DEFAULTS

STATE_RANK = {"on_track": 0, "at_risk": 1, "breached": 2}
FINISHED_STATES = frozenset({"met", "missed"})


def policy_hours(urgency: str, category_id: int | None) -> tuple[int, int]:
    """(first response, answer) hours: the category's own policy wins over the urgency's default."""
    policies = db.session.scalars(
        select(SlaPolicy).where(SlaPolicy.urgency == urgency,
                                (SlaPolicy.category_id == category_id) | SlaPolicy.category_id.is_(None))
    ).all()
    policy = next((p for p in policies if p.category_id is not None), None) or next(iter(policies), None)
    if policy is None:
        return SLA_DEFAULTS.get(urgency, SLA_DEFAULTS["thuong"])
    return policy.first_response_hours, policy.answer_hours


def set_deadlines(ticket: Ticket, calendar: WorkingCalendar | None = None, now: dt.datetime | None = None,
                  hours: tuple[int, int] | None = None) -> None:
    """Compute and store the deadlines from the filing time, the policy, any explicit deadline and pauses."""
    calendar = calendar or load_calendar()
    category_id = ticket.category_id or (ticket.category.id if ticket.category else None)
    first_response, answer = hours or policy_hours(ticket.urgency, category_id)
    paused = dt.timedelta(seconds=ticket.paused_seconds or 0)
    start = ticket.created_at
    ticket.first_response_due_at = sla.add_working_time(start, sla.working_duration(first_response) + paused,
                                                        calendar)
    ticket.answer_due_at = ticket.explicit_due_at or sla.add_working_time(
        start, sla.working_duration(answer) + paused, calendar)
    ticket.at_risk_at = sla.at_risk_moment(start, ticket.answer_due_at, paused, calendar)
    _lower_state_to_fit(ticket, now or utcnow())


def recompute_open_deadlines(day: dt.date, now: dt.datetime | None = None) -> int:
    """The calendar changed on `day`: open obstacles with a deadline from that day on are recomputed."""
    calendar = load_calendar()
    now = now or utcnow()
    since = dt.datetime.combine(day, dt.time(), tzinfo=calendar.zone)
    open_statuses = [s.value for s in Status if s.is_open]
    tickets = db.session.scalars(select(Ticket).where(
        Ticket.status.in_(open_statuses),
        (Ticket.answer_due_at >= since) | (Ticket.first_response_due_at >= since))).all()
    policies: dict[tuple[str, int], tuple[int, int]] = {}
    for ticket in tickets:
        key = (ticket.urgency, ticket.category_id)
        if key not in policies:
            policies[key] = policy_hours(*key)
        set_deadlines(ticket, calendar, now, policies[key])
    db.session.flush()
    return len(tickets)


def _lower_state_to_fit(ticket: Ticket, now: dt.datetime) -> None:
    """A later deadline may bring the state back; a stricter one is left to the sweep, which records it."""
    current = ticket.sla_state or "on_track"
    if current in FINISHED_STATES or ticket.paused_at is not None:
        ticket.sla_state = current
        return
    fitting = sla.open_state(ticket.at_risk_at, ticket.answer_due_at, now)
    ticket.sla_state = fitting if STATE_RANK[fitting] < STATE_RANK[current] else current


def explicit_deadline_moment(day: dt.date, calendar: WorkingCalendar) -> dt.datetime:
    """A deadline named as a date means the end of that day's office hours."""
    end = dt.timedelta(minutes=calendar.periods[-1][1])
    return (dt.datetime.combine(day, dt.time(), tzinfo=calendar.zone) + end).astimezone(dt.UTC)


def set_explicit_deadline(ticket: Ticket, user: User, day: dt.date | None, now: dt.datetime) -> bool:
    """Triage names the deadline (a directive's date), or clears it; it wins over the computed one.

    Returns whether it changed; the change is recorded in the history.
    """
    from .tickets import DomainError, record

    calendar = load_calendar()
    zone = calendar.zone
    old_day = ticket.explicit_due_at.astimezone(zone).date() if ticket.explicit_due_at else None
    if day == old_day:
        return False
    if day is not None:
        if day < now.astimezone(zone).date():
            raise DomainError(_l("The deadline cannot be in the past."), "due_date")
        if day.year > now.astimezone(zone).year + 5:
            raise DomainError(_l("The deadline is too far away."), "due_date")
    ticket.explicit_due_at = explicit_deadline_moment(day, calendar) if day else None
    record(ticket, user, "changed", "deadline", old_day.strftime("%d/%m/%Y") if old_day else None,
           day.strftime("%d/%m/%Y") if day else None, at=now)
    set_deadlines(ticket, calendar, now)
    return True


def on_status_change(ticket: Ticket, old: Status, new: Status, now: dt.datetime) -> None:
    """Pause and resume the clock, record the first response, and finish the state."""
    old, new = Status(old), Status(new)
    if old is Status.NEW and new in (Status.ASSIGNED, Status.AWAITING_LOCALITY) and not ticket.first_responded_at:
        ticket.first_responded_at = now
    if new is Status.AWAITING_LOCALITY and ticket.paused_at is None:
        ticket.paused_at = now
        ticket.paused_status = ticket.paused_status or old.value
    elif old is Status.AWAITING_LOCALITY and ticket.paused_at is not None:
        _resume(ticket, now)
    if new is Status.ANSWERED and old is Status.AWAITING_LOCALITY and ticket.sla_state in FINISHED_STATES:
        pass  # back to an answer given before the locality was asked: its met/missed stands
    elif new is Status.ANSWERED:
        ticket.sla_state = sla.finished_state(now, ticket.answer_due_at)
    elif not new.is_open and ticket.sla_state not in FINISHED_STATES:
        ticket.sla_state = sla.finished_state(now, ticket.answer_due_at)
    elif new.is_open and new is not Status.AWAITING_LOCALITY and ticket.sla_state in FINISHED_STATES:
        ticket.sla_state = sla.open_state(ticket.at_risk_at, ticket.answer_due_at, now)  # reopened


def _resume(ticket: Ticket, now: dt.datetime) -> None:
    """Move every deadline by the working time spent waiting for the locality."""
    calendar = load_calendar()
    waited = max(sla.working_time_between(ticket.paused_at, now, calendar), dt.timedelta(0))
    ticket.paused_seconds = (ticket.paused_seconds or 0) + int(waited.total_seconds())
    for column in ("first_response_due_at", "answer_due_at", "explicit_due_at", "at_risk_at"):
        moment = getattr(ticket, column)
        if moment is not None:
            setattr(ticket, column, sla.add_working_time(moment, waited, calendar))
    ticket.paused_at = None
    ticket.paused_status = None
