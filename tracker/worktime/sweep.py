"""The SLA sweep: moves open tickets on_track → at_risk → breached, records each crossing once, notifies.

It reads only tickets whose stored threshold has passed (by index on sla_state + at_risk_at / answer_due_at),
and changes a state with a compare-and-set UPDATE, so two sweeps never record the same crossing twice.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload

from .. import locks
from ..enums import SlaState
from ..extensions import db
from ..history import record
from ..mail import outbox
from ..models import Ticket, utcnow
from ..people import escalation_recipients
from . import sla

BATCH = 200
LOCK_NAME = "job:sla_sweep"
LOCK_TTL = dt.timedelta(minutes=10)


def due_for_sweep(now: dt.datetime, limit: int = BATCH) -> list[Ticket]:
    """Open, running tickets whose next threshold has passed."""
    crossing = or_(
        and_(Ticket.sla_state == SlaState.ON_TRACK, Ticket.at_risk_at <= now),
        and_(Ticket.sla_state.in_((SlaState.ON_TRACK, SlaState.AT_RISK)), Ticket.answer_due_at <= now),
    )
    query = (select(Ticket).where(crossing, Ticket.paused_at.is_(None))
             .options(joinedload(Ticket.assignee), joinedload(Ticket.lead_unit))
             .order_by(Ticket.answer_due_at, Ticket.id).limit(limit))
    return list(db.session.scalars(query).unique())


def sweep(now: dt.datetime | None = None) -> int:
    """Record every crossing due at `now`; returns how many. Flushes; the caller commits."""
    now = now or utcnow()
    crossed = 0
    seen: set[int] = set()
    while True:
        batch = [t for t in due_for_sweep(now) if t.id not in seen]
        if not batch:
            return crossed
        for ticket in batch:
            seen.add(ticket.id)
            crossed += _cross(ticket, now)
        db.session.flush()


def _cross(ticket: Ticket, now: dt.datetime) -> int:
    old = SlaState(ticket.sla_state)
    new = sla.open_state(ticket.at_risk_at, ticket.answer_due_at, now)
    if new.rank <= old.rank:
        return 0
    # Compare-and-set: only the sweep that still sees the old state records the crossing.
    changed = db.session.execute(
        update(Ticket).where(Ticket.id == ticket.id, Ticket.sla_state == old).values(sla_state=new)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return 0
    db.session.expire(ticket, ["sla_state"])
    record(ticket, None, "sla", "sla_state", old, new, internal=True, at=now)
    _notify(ticket, new)
    return 1


def _notify(ticket: Ticket, state: SlaState) -> None:
    url = f"{current_app.config['BASE_URL']}/tickets/{ticket.reference}"
    if state is SlaState.AT_RISK:
        recipients = [ticket.assignee] if ticket.assignee else []
        subject = _l("Due soon: %(reference)s", reference=ticket.reference)
    else:
        recipients = escalation_recipients(ticket)
        subject = _l("Overdue: %(reference)s", reference=ticket.reference)
    for user in recipients:
        outbox.enqueue_email(f"sla:{state}:{ticket.id}:user:{user.id}", user, f"sla_{state}", subject,
                             ticket=ticket, url=url)


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
