"""What the KPI words mean, as SQL conditions on tickets.

One definition serves the dashboard's numbers, the lists those numbers link to (queries.TicketFilters), the
stats API and the weekly report, so a number always equals the count of the list that makes it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func, or_

from .enums import Outcome, SlaState, Status
from .models import Ticket

# Open in the dashboard's sense: still waiting for an answer (an answered obstacle waits for confirmation).
AWAITING_ANSWER = tuple(s.value for s in (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS,
                                          Status.AWAITING_LOCALITY))
# Past triage and still waiting: someone must own it by now.
PAST_TRIAGE = tuple(s.value for s in (Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_LOCALITY))
# Answered and not taken back (a reopened obstacle is being worked on again).
HAS_ANSWER = (Status.ANSWERED.value, Status.CLOSED.value)
LACKING = ("owner", "deadline", "outcome")


def between(column, start: dt.datetime, end: dt.datetime):
    return and_(column >= start, column < end)


def count(condition):
    """How many rows of a (grouped) select meet the condition."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def total(condition, value):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def percent(part: int, whole: int) -> int | None:
    """A compliance rate as a whole percentage; None when nothing was measured."""
    return round(100 * part / whole) if whole else None


def awaiting_answer():
    return Ticket.status.in_(AWAITING_ANSWER)


def overdue():
    """Past the answer deadline and not answered: the state the SLA sweep keeps (breached is open only)."""
    return Ticket.sla_state == SlaState.BREACHED.value


def due_before(end: dt.datetime):
    """Waiting for an answer, not overdue (the sweep's state, as `overdue`), its deadline before `end`. No clock
    reading: the dashboard's numbers then change only with the tickets (the sweep's crossings included) and the
    day, and are kept that long."""
    return and_(awaiting_answer(), Ticket.sla_state != SlaState.BREACHED.value, Ticket.answer_due_at < end)


def answered_on_time():
    return and_(Ticket.answered_at.is_not(None),
                or_(Ticket.answer_due_at.is_(None), Ticket.answered_at <= Ticket.answer_due_at))


def answered_late():
    return and_(Ticket.answered_at.is_not(None), Ticket.answered_at > Ticket.answer_due_at)


def responded_on_time():
    return and_(Ticket.first_responded_at.is_not(None),
                or_(Ticket.first_response_due_at.is_(None),
                    Ticket.first_responded_at <= Ticket.first_response_due_at))


def responded_late():
    return and_(Ticket.first_responded_at.is_not(None), Ticket.first_responded_at > Ticket.first_response_due_at)


def open_at(moment: dt.datetime):
    """Filed before the moment and still waiting for an answer then (as the weekly report counts it)."""
    return and_(Ticket.created_at < moment,
                or_(Ticket.closed_at.is_(None), Ticket.closed_at >= moment),
                or_(Ticket.answered_at.is_(None), Ticket.answered_at >= moment, awaiting_answer()))


def overdue_at(moment: dt.datetime):
    return and_(open_at(moment), Ticket.answer_due_at < moment)


def missed():
    """The answer deadline passed with no answer by it, and the obstacle was not closed before it (merged or
    transferred in time): answered after it, closed unanswered after it, or still open and overdue (the sweep's
    state, as `overdue`); counted in the week the deadline fell. No clock reading, as `due_before`."""
    due = Ticket.answer_due_at
    return or_(Ticket.answered_at > due,
               and_(Ticket.answered_at.is_(None), or_(Ticket.closed_at > due,
                                                      and_(Ticket.closed_at.is_(None), overdue()))))


def lacking(what: str):
    """"6 rõ": an open obstacle without an owner (past triage: no lead unit or no assignee), without a
    deadline, or answered without an outcome. `any` is any of them."""
    conditions = {
        "owner": and_(Ticket.status.in_(PAST_TRIAGE), or_(Ticket.lead_unit_id.is_(None),
                                                          Ticket.assignee_id.is_(None))),
        "deadline": and_(awaiting_answer(), Ticket.answer_due_at.is_(None)),
        "outcome": and_(Ticket.status == Status.ANSWERED.value, Ticket.outcome.is_(None)),
    }
    if what == "any":
        return or_(*conditions.values())
    return conditions[what]


def with_outcome(outcome: Outcome | str):
    """Answered with this outcome (a reopened obstacle's earlier outcome no longer counts)."""
    return and_(Ticket.outcome == Outcome(outcome).value, Ticket.status.in_(HAS_ANSWER))


def needs_legal_change():
    return with_outcome(Outcome.NEEDS_LEGAL_CHANGE)
