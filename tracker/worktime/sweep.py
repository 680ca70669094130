"""The SLA sweep: moves open tickets on_track → at_risk → breached, for the first response and for the answer,
records each crossing once, and notifies.

It reads only tickets whose next crossing moment has passed (a column the database computes from the state, the
at-risk moment, the deadline and the pause, indexed), and changes a state with a compare-and-set UPDATE, so two
sweeps never record the same crossing twice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from .. import locks
from ..enums import Deadline, SlaState
from ..extensions import db
from ..history import record
from ..mail import notify
from ..models import Ticket, utcnow
from . import sla

BATCH = 200
LOCK_NAME = "job:sla_sweep"
LOCK_TTL = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Clock:
    """One deadline a ticket is swept for, by the names of its columns: state, at-risk moment, due moment.

    `name` (the Deadline's value) is the state column, also the field of the history event of a crossing.
    """

    deadline: Deadline
    at_risk_column: str
    due_column: str
    next_column: str  # models.next_crossing: when the state next changes, NULL when it cannot

    @property
    def name(self) -> str:
        return self.deadline.value

    @property
    def state(self):
        return getattr(Ticket, self.name)

    @property
    def at_risk_at(self):
        return getattr(Ticket, self.at_risk_column)

    @property
    def due_at(self):
        return getattr(Ticket, self.due_column)

    @property
    def next_at(self):
        return getattr(Ticket, self.next_column)

    def values(self, ticket: Ticket) -> tuple[SlaState, dt.datetime | None, dt.datetime | None]:
        """(state, at-risk moment, due moment) of this clock on a loaded ticket."""
        return (SlaState(getattr(ticket, self.name) or SlaState.ON_TRACK),
                getattr(ticket, self.at_risk_column), getattr(ticket, self.due_column))


ANSWER = Clock(Deadline.ANSWER, "at_risk_at", "answer_due_at", "answer_next_at")
FIRST_RESPONSE = Clock(Deadline.FIRST_RESPONSE, "first_response_at_risk_at", "first_response_due_at",
                       "first_response_next_at")
CLOCKS = (FIRST_RESPONSE, ANSWER)


def due_for_sweep(now: dt.datetime, limit: int = BATCH, clock: Clock = ANSWER) -> list[Ticket]:
    """Open, running tickets whose next threshold of this clock has passed: a range of the clock's next
    crossing index (the database keeps that moment from the state, the thresholds and the pause)."""
    return list(db.session.scalars(due_query(now, limit, clock)).unique())


def due_query(now: dt.datetime, limit: int = BATCH, clock: Clock = ANSWER):
    return (select(Ticket).where(clock.next_at <= now)
            .options(joinedload(Ticket.assignee), joinedload(Ticket.lead_unit))
            .order_by(clock.next_at, Ticket.id).limit(limit))


def sweep(now: dt.datetime | None = None) -> int:
    """Record every crossing due at `now`, first responses then answers; returns how many. Flushes; the
    caller commits."""
    now = now or utcnow()
    alerts = notify.DeadlineAlerts(now)
    return sum(_sweep_clock(clock, now, alerts) for clock in CLOCKS)


def _sweep_clock(clock: Clock, now: dt.datetime, alerts: notify.DeadlineAlerts) -> int:
    crossed = 0
    seen: set[int] = set()
    while True:
        batch = [t for t in due_for_sweep(now, clock=clock) if t.id not in seen]
        if not batch:
            return crossed
        with db.session.no_autoflush:  # each crossing's rows are written with the batch's, in a few statements
            for ticket in batch:
                seen.add(ticket.id)
                crossed += _cross(ticket, now, clock, alerts)
        db.session.flush()


def _cross(ticket: Ticket, now: dt.datetime, clock: Clock = ANSWER,
           alerts: notify.DeadlineAlerts | None = None) -> int:
    old, at_risk_at, due = clock.values(ticket)
    new = sla.open_state(at_risk_at, due, now)
    if new.rank <= old.rank:
        return 0
    # Compare-and-set: only the sweep that still sees the old state records the crossing.
    changed = db.session.execute(
        update(Ticket).where(Ticket.id == ticket.id, clock.state == old).values({clock.name: new})
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return 0
    db.session.expire(ticket, [clock.name])
    record(ticket, None, "sla", clock.name, old, new, internal=True, at=now)
    (alerts or notify.DeadlineAlerts(now)).crossed(ticket, clock.deadline, new)
    return 1


def run_sweep() -> int:
    """The scheduled job's body: sweep and commit (the job runner holds the lease)."""
    crossed = sweep(utcnow())
    db.session.commit()
    return crossed


def run_sweep_locked() -> int | None:
    """Sweep once under the job's lease (as the CLI does); None when another process is sweeping."""
    with locks.held(LOCK_NAME, LOCK_TTL) as got:
        if not got:
            return None
        return run_sweep()
