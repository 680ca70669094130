"""A ticket's stored deadlines: computed at filing, on urgency or category change, from an explicit date,
moved by the time spent awaiting the locality, and recomputed when the calendar changes.

Deadlines are stored, so lists sort and filter on them in SQL; the SLA state follows them (sweep.py moves
it forward as time passes).
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..enums import OPEN_STATUSES, SlaState, Status
from ..errors import DomainError
from ..extensions import db
from ..history import record
from ..models import Ticket, User, utcnow
from . import sla
from .calendar import WorkingCalendar, load_calendar
from .policies import policy_hours


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
    ticket.first_response_at_risk_at = sla.at_risk_moment(start, ticket.first_response_due_at, paused, calendar)
    _lower_state_to_fit(ticket, now or utcnow())


def recompute_open_deadlines(day: dt.date, now: dt.datetime | None = None) -> int:
    """The calendar changed on `day`: open obstacles with a deadline from that day on are recomputed."""
    calendar = load_calendar()
    now = now or utcnow()
    since = dt.datetime.combine(day, dt.time(), tzinfo=calendar.zone)
    tickets = db.session.scalars(select(Ticket).where(
        Ticket.status.in_([s.value for s in OPEN_STATUSES]),
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
    """A later deadline may bring a state back; a stricter one is left to the sweep, which records it."""
    ticket.sla_state = _fitting(ticket.sla_state, ticket.at_risk_at, ticket.answer_due_at, ticket, now).value
    ticket.first_response_state = _fitting(ticket.first_response_state, ticket.first_response_at_risk_at,
                                           ticket.first_response_due_at, ticket, now).value


def _fitting(state: str | None, at_risk_at, due, ticket: Ticket, now: dt.datetime) -> SlaState:
    current = SlaState(state or SlaState.ON_TRACK)
    if current.is_finished or ticket.paused_at is not None:
        return current
    fitting = sla.open_state(at_risk_at, due, now)
    return fitting if fitting.rank < current.rank else current


def explicit_deadline_moment(day: dt.date, calendar: WorkingCalendar) -> dt.datetime:
    """A deadline named as a date means the end of that day's office hours."""
    end = dt.timedelta(minutes=calendar.periods[-1][1])
    return (dt.datetime.combine(day, dt.time(), tzinfo=calendar.zone) + end).astimezone(dt.UTC)


def set_explicit_deadline(ticket: Ticket, user: User, day: dt.date | None, now: dt.datetime) -> bool:
    """Triage names the deadline (a directive's date), or clears it; it wins over the computed one.

    Returns whether it changed; the change is recorded in the history.
    """
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


def pause(ticket: Ticket, paused_status: Status, now: dt.datetime) -> None:
    """The locality was asked: the clock stops, and the ticket remembers where it will return."""
    ticket.paused_at = now
    ticket.paused_status = ticket.paused_status or paused_status.value


def resume(ticket: Ticket, now: dt.datetime) -> None:
    """Move every deadline by the working time spent waiting for the locality."""
    calendar = load_calendar()
    waited = max(sla.working_time_between(ticket.paused_at, now, calendar), dt.timedelta(0))
    ticket.paused_seconds = (ticket.paused_seconds or 0) + int(waited.total_seconds())
    for column in ("first_response_due_at", "answer_due_at", "explicit_due_at", "at_risk_at",
                   "first_response_at_risk_at"):
        moment = getattr(ticket, column)
        if moment is not None:
            setattr(ticket, column, sla.add_working_time(moment, waited, calendar))
    ticket.paused_at = None
    ticket.paused_status = None


def measure_answer(ticket: Ticket, calendar: WorkingCalendar | None = None) -> None:
    """Store the working time from filing to the answer, less the time paused: the dashboard's medians read it."""
    if ticket.answered_at is None:
        return
    worked = sla.working_time_between(ticket.created_at, ticket.answered_at, calendar or load_calendar())
    ticket.answer_working_seconds = max(int(worked.total_seconds()) - (ticket.paused_seconds or 0), 0)


def follow_status(ticket: Ticket, old: Status, new: Status, now: dt.datetime) -> None:
    """The SLA states after a status change: finished on an answer or a close, open again on a reopen."""
    _follow_first_response(ticket, new, now)
    current = SlaState(ticket.sla_state or SlaState.ON_TRACK)
    if new is Status.ANSWERED and old is Status.AWAITING_LOCALITY and current.is_finished:
        return  # back to an answer given before the locality was asked: its met/missed stands
    if new is Status.ANSWERED or (not new.is_open and not current.is_finished):
        ticket.sla_state = sla.finished_state(now, ticket.answer_due_at).value
    elif new.is_open and new is not Status.AWAITING_LOCALITY and current.is_finished:
        ticket.sla_state = sla.open_state(ticket.at_risk_at, ticket.answer_due_at, now).value  # reopened


def _follow_first_response(ticket: Ticket, new: Status, now: dt.datetime) -> None:
    """The first response is met or missed once given (routed, or the locality asked) or once the obstacle
    closes without one (merged, transferred); it never reopens."""
    current = SlaState(ticket.first_response_state or SlaState.ON_TRACK)
    if current.is_finished or (ticket.first_responded_at is None and new.is_open):
        return
    done = ticket.first_responded_at or now
    ticket.first_response_state = sla.finished_state(done, ticket.first_response_due_at).value
