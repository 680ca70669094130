"""Deadlines. Placeholder policy until working-time arithmetic lands: weekdays only, 8 hours a day."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from .extensions import db
from .models import SlaPolicy, Ticket


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def policy_hours(urgency: str, category_id: int | None) -> tuple[int, int]:
    policies = db.session.scalars(
        select(SlaPolicy).where(SlaPolicy.urgency == urgency,
                                (SlaPolicy.category_id == category_id) | SlaPolicy.category_id.is_(None))
    ).all()
    policy = next((p for p in policies if p.category_id is not None), None) or next(iter(policies), None)
    if policy is None:
        return 16, 80
    return policy.first_response_hours, policy.answer_hours


def add_working_hours(start: dt.datetime, hours: int) -> dt.datetime:
    days, rest = divmod(hours, 8)
    moment = start
    while days > 0:
        moment += dt.timedelta(days=1)
        if moment.astimezone(local_zone()).weekday() < 5:
            days -= 1
    return moment + dt.timedelta(hours=rest)


def set_deadlines(ticket: Ticket) -> None:
    first_response, answer = policy_hours(ticket.urgency, ticket.category_id or ticket.category.id)
    ticket.first_response_due_at = add_working_hours(ticket.created_at, first_response)
    ticket.answer_due_at = ticket.explicit_due_at or add_working_hours(ticket.created_at, answer)


def on_status_change(ticket: Ticket, old, new, now: dt.datetime) -> None:
    """Called by tickets.set_status on every transition: the place for pause/resume and met/missed."""
