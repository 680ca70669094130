"""A ticket's history: every change is an event (who, when, what changed from what to what)."""
from __future__ import annotations

import datetime as dt

from .extensions import db
from .models import Event, Ticket, User, utcnow


def record(ticket: Ticket, actor: User | None, kind: str, field: str | None = None,
           old=None, new=None, *, internal: bool = False, at: dt.datetime | None = None) -> Event:
    event = Event(ticket_id=ticket.id, actor=actor, kind=kind,
                  field=field, old_value=None if old is None else str(old),
                  new_value=None if new is None else str(new), internal=internal, created_at=at or utcnow())
    db.session.add(event)
    return event
