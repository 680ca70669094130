"""Routing rules → lead unit and assignee, applied when an obstacle is filed."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from . import data_version
from .enums import OPEN_STATUSES, Status
from .extensions import db
from .history import record
from .lifecycle import set_status
from .mail import notify
from .models import RoutingRule, Ticket, User
from .people import unit_specialists
from .text import fold


class Strategy(StrEnum):
    NONE = "none"
    ROUND_ROBIN = "round_robin"
    LEAST_OPEN = "least_open"

    @property
    def label(self):
        return {
            Strategy.NONE: _l("Do not assign (the unit assigns)"),
            Strategy.ROUND_ROBIN: _l("Round robin among the unit's specialists"),
            Strategy.LEAST_OPEN: _l("The specialist with the least open work"),
        }[self]


class Condition(NamedTuple):
    """What an active rule matches (its keyword folded), kept per process by the reference data's version."""

    id: int
    category_id: int | None
    province_id: int | None
    keyword: str


def matches(rule: Condition, ticket: Ticket, title: str) -> bool:
    """`title`: the ticket's folded title."""
    if rule.category_id is not None and rule.category_id != ticket.category_id:
        return False
    if rule.province_id is not None and rule.province_id != ticket.province_id:
        return False
    return not rule.keyword or rule.keyword in title


def active_conditions() -> tuple[Condition, ...]:
    """The active rules in their order, as plain values."""
    return data_version.reference_cached("routing rules", lambda: tuple(
        Condition(id, category_id, province_id, fold((keyword or "").strip()))
        for id, category_id, province_id, keyword in db.session.execute(
            select(RoutingRule.id, RoutingRule.category_id, RoutingRule.province_id, RoutingRule.keyword)
            .where(RoutingRule.active.is_(True)).order_by(RoutingRule.position, RoutingRule.id))))


def first_matching_rule(ticket: Ticket) -> RoutingRule | None:
    """The first active rule that matches; the rule itself is read only when one does."""
    conditions = active_conditions()
    if not conditions:
        return None
    title = fold(ticket.title) if any(rule.keyword for rule in conditions) else ""
    found = next((rule for rule in conditions if matches(rule, ticket, title)), None)
    return db.session.get(RoutingRule, found.id) if found else None


def pick_round_robin(rule: RoutingRule) -> User | None:
    """The next specialist after the rule's last one; the rule row is locked so two filings never pick the same."""
    db.session.refresh(rule, with_for_update=True)
    people = unit_specialists(rule.unit_id)
    if not people:
        return None
    chosen = next((u for u in people if rule.last_assignee_id is not None and u.id > rule.last_assignee_id),
                  people[0])
    rule.last_assignee_id = chosen.id
    return chosen


def open_work(user_ids: list[int]) -> dict[int, int]:
    """Open tickets per assignee in one grouped query."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Ticket.assignee_id, func.count(Ticket.id))
        .where(Ticket.assignee_id.in_(user_ids), Ticket.status.in_([s.value for s in OPEN_STATUSES]))
        .group_by(Ticket.assignee_id))
    return dict(rows.all())


def pick_least_open(rule: RoutingRule) -> User | None:
    people = unit_specialists(rule.unit_id)
    counts = open_work([u.id for u in people])
    return min(people, key=lambda u: (counts.get(u.id, 0), u.id), default=None)


PICKERS = {Strategy.ROUND_ROBIN.value: pick_round_robin, Strategy.LEAST_OPEN.value: pick_least_open}


def route(ticket: Ticket, now: dt.datetime) -> RoutingRule | None:
    """Apply the first matching active rule; no match (or an inactive unit) leaves it in the triage queue."""
    rule = first_matching_rule(ticket)
    if rule is None or not rule.unit.active:
        return None
    picker = PICKERS.get(rule.strategy)
    assignee = picker(rule) if picker else None
    ticket.lead_unit = rule.unit
    ticket.assignee = assignee
    ticket.routing_rule_id = rule.id
    record(ticket, None, "routed", "routing_rule", None, describe(rule), at=now)
    record(ticket, None, "changed", "lead_unit", None, rule.unit.code, at=now)
    if assignee is not None:
        record(ticket, None, "changed", "assignee", None, str(assignee), at=now)
    set_status(ticket, None, Status.ASSIGNED, now)
    db.session.flush()
    notify.notify_routed(ticket)
    if assignee is not None:
        notify.notify_assigned(ticket, ticket.version)
    return rule


def describe(rule: RoutingRule) -> str:
    """How history names a rule: its number and what it matches."""
    parts = [rule.category.code if rule.category else "*", rule.province.code if rule.province else "*"]
    if rule.keyword:
        parts.append(f'"{rule.keyword}"')
    return f"#{rule.id} ({' / '.join(parts)} → {rule.unit.code}, {rule.strategy})"
