"""The dashboard's tables as plain data: each cell is a list of (text, link) parts, built once in Python with
cheap links (the list's path and an encoded query string), so the template only loops."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import url_for

from ...mail.digest_mail import local_name
from ...stats import LIST_PAGE, Dashboard, Row, Tally, measure_args

LIST_ENDPOINTS = {None: "tickets.index", "gaps": "dashboard.gaps", "policy": "dashboard.policy"}
MEASURES = ("received", "open", "overdue", "due_this_week", "new_today", "answered", "answered_on_time",
            "median", "responded", "responded_on_time", "rated", "lacking", "lacking_owner", "lacking_deadline",
            "lacking_outcome", "policy")


class Links:
    """The list behind each number of one dashboard: /tickets (or the 6 rõ or policy list) with its filters."""

    def __init__(self, board: Dashboard):
        self.board = board
        # Each obstacle is counted, so its list shows each obstacle (not one row per systemic issue).
        self.scope = {**board.filters.scope_args(), "each": "obstacle"}
        self.paths = paths = {page: url_for(endpoint) for page, endpoint in LIST_ENDPOINTS.items()}
        # Each measure's part of the query string is encoded once; each row's group once (rows are in scope,
        # so a group never contradicts the scope's filters: it adds one or repeats one).
        period, today = board.filters.period, board.today
        self.prefix = {m: f"{paths[LIST_PAGE.get(m)]}?{urlencode({**self.scope, **measure_args(m, period, today)})}"
                       for m in MEASURES}
        self.groups: dict[tuple, str] = {}

    def __call__(self, measure: str, group: dict | None = None) -> str:
        if not group:
            return self.prefix[measure]
        key = tuple(group.items())
        if key not in self.groups:
            self.groups[key] = urlencode({k: v for k, v in group.items() if self.scope.get(k) != v})
        return f"{self.prefix[measure]}&{self.groups[key]}" if self.groups[key] else self.prefix[measure]

    def week(self, point, measure: str) -> str:
        return f"{self.paths[None]}?{urlencode({**self.scope, **point.args(measure)})}"


@dataclass
class TableRow:
    name: str
    cells: list[list[tuple]]
    detail: str | None = None  # a second text column (an assignee's unit)


def number(links: Links, value: int, measure: str, group: dict | None) -> list[tuple]:
    return [(value, links(measure, group))]


def rate(links: Links, tally: Tally, part: str, whole: str, group: dict | None) -> list[tuple]:
    """"67 % (2/3)": the share links to its numerator's list; both counts link to theirs."""
    share = tally.rate(part, whole)
    if share is None:
        return [("—", None)]
    return [(f"{share} %", links(part, group)), (" (", None), (getattr(tally, part), links(part, group)),
            ("/", None), (getattr(tally, whole), links(whole, group)), (")", None)]


def decimal(links: Links, value: float | None, measure: str, group: dict | None) -> list[tuple]:
    return [("—", None)] if value is None else [(f"{value:.1f}", links(measure, group))]


def breakdown(links: Links, rows: list[Row], name_of) -> list[TableRow]:
    """Received, open, overdue, answered and the on-time share of each category or locality."""
    return [TableRow(name_of(row.subject), [
        number(links, row.tally.received, "received", row.args), number(links, row.tally.open, "open", row.args),
        number(links, row.tally.overdue, "overdue", row.args), number(links, row.tally.answered, "answered", row.args),
        rate(links, row.tally, "answered_on_time", "answered", row.args)]) for row in rows]


def kpi(links: Links, rows: list[Row], day_seconds: int, with_unit: bool = False) -> list[TableRow]:
    """A unit's or an assignee's KPI: open, overdue, answered, on-time share, median days, rating."""
    return [TableRow(local_name(row.subject) if not with_unit else str(row.subject), [
        number(links, row.tally.open, "open", row.args), number(links, row.tally.overdue, "overdue", row.args),
        number(links, row.tally.answered, "answered", row.args),
        rate(links, row.tally, "answered_on_time", "answered", row.args),
        decimal(links, row.tally.median_days(day_seconds), "median", row.args),
        decimal(links, row.tally.average_rating, "rated", row.args)],
        detail=(local_name(row.subject.unit) if row.subject.unit else "—") if with_unit else None) for row in rows]


def tables(board: Dashboard, links: Links) -> dict[str, list[TableRow]]:
    return {
        "category": breakdown(links, board.by_category, local_name),
        "locality": breakdown(links, board.by_locality, lambda subject: subject.name),
        "unit": kpi(links, board.by_unit, board.day_seconds),
        "assignee": kpi(links, board.by_specialist, board.day_seconds, with_unit=True),
    }
