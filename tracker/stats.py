"""The dashboard's numbers: counts, compliance, median working days to answer, ratings, by category, by
province (or commune), by unit and specialist, and the weekly trend.

A fixed handful of queries whatever the data (stats_queries.py: the counts, the medians, the trend, each
read from index ranges; then the names). Every count starts from visible_tickets(user) and uses
measures.py's definitions, so each number equals the count of the list it links to (`list_args`).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from . import data_version, measures, stats_queries
from .enums import LocalityLevel
from .extensions import db
from .localtime import local_date
from .models import Category, Locality, Unit, User
from .permissions import is_team, own_locality, visible_tickets
from .queries import TicketFilters
from .stats_filters import TREND_WEEKS, Period, StatsFilters
from .weeks import week_of
from .worktime.calendar import office_hours


@dataclass
class Tally:
    """The numbers of one group of obstacles (the whole scope, a category, a province, a unit...)."""

    received: int = 0  # filed in the period
    open: int = 0  # waiting for an answer now
    overdue: int = 0  # past the answer deadline now
    due_this_week: int = 0
    new_today: int = 0
    answered: int = 0  # answered in the period
    answered_on_time: int = 0
    responded: int = 0  # first response in the period
    responded_on_time: int = 0
    rated: int = 0  # answered in the period and rated
    rating_total: int = 0
    lacking_owner: int = 0
    lacking_deadline: int = 0
    lacking_outcome: int = 0
    policy: int = 0  # answered in the period: the law must change
    median_seconds: float | None = None  # working time to answer, answered in the period

    def add(self, names, values) -> None:
        for name, value in zip(names, values, strict=True):
            setattr(self, name, getattr(self, name) + int(value))

    def rate(self, part: str, whole: str) -> int | None:
        return measures.percent(getattr(self, part), getattr(self, whole))

    @property
    def answer_compliance(self) -> int | None:
        return measures.percent(self.answered_on_time, self.answered)

    @property
    def first_response_compliance(self) -> int | None:
        return measures.percent(self.responded_on_time, self.responded)

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_total / self.rated, 1) if self.rated else None

    @property
    def lacking(self) -> int:
        return self.lacking_owner + self.lacking_deadline + self.lacking_outcome

    def median_days(self, day_seconds: int) -> float | None:
        return None if self.median_seconds is None else round(self.median_seconds / day_seconds, 1)



# Which list makes each number: its query arguments on top of the dashboard's scope (stats_filters).
# `None` pages are /tickets; the others are the "6 rõ" and policy lists.
LIST_PAGE = {"lacking_owner": "gaps", "lacking_deadline": "gaps", "lacking_outcome": "gaps", "lacking": "gaps",
             "policy": "policy"}


def measure_args(measure: str, period: Period, today: dt.date) -> dict:
    """The list filters that make a measure (on top of the dashboard's category, province and unit)."""
    day = today.strftime("%d/%m/%Y")
    answered, responded = period.args("answered"), period.args("responded")
    return {
        "received": period.args("filed"), "open": {"status": "open"}, "overdue": {"sla_state": "breached"},
        "due_this_week": {"due": "this_week"}, "new_today": {"filed_from": day, "filed_to": day},
        "answered": answered, "answered_on_time": {**answered, "answered": "on_time"},
        "median": answered, "responded": responded, "responded_on_time": {**responded, "responded": "on_time"},
        "rated": {**answered, "rated": "yes"}, "lacking": {"lacking": "any"},
        "lacking_owner": {"lacking": "owner"}, "lacking_deadline": {"lacking": "deadline"},
        "lacking_outcome": {"lacking": "outcome"}, "policy": {**answered, "outcome": "needs_legal_change"},
    }[measure]


@dataclass
class Row:
    """One line of a breakdown: what it is about, the filter that selects it, and its numbers."""

    subject: object  # a Category, Locality, Unit or User; None for "no unit" / "nobody"
    args: dict
    tally: Tally = field(default_factory=Tally)


@dataclass
class WeekPoint:
    first_day: dt.date
    received: int
    answered: int
    missed: int  # answer deadlines that fell in the week and were missed

    def args(self, measure: str) -> dict:
        week = Period(self.first_day, self.first_day + dt.timedelta(days=6))
        if measure == "received":
            return week.args("filed")
        if measure == "answered":
            return week.args("answered")
        return week.args("missed")


@dataclass
class Dashboard:
    filters: StatsFilters
    now: dt.datetime
    totals: Tally
    by_category: list[Row]
    by_locality: list[Row]  # provinces (the country, a unit) or the province and its communes
    by_unit: list[Row]
    by_specialist: list[Row]
    trend: list[WeekPoint]
    day_seconds: int  # a working day, to turn working seconds into days
    units: list[Unit]  # every unit, by name: the unit filter offers them
    categories: list[Category]  # the active ones, for the category filter
    provinces: list[Locality]  # for the province filter

    @property
    def today(self) -> dt.date:
        return local_date(self.now)

    def list_args(self, measure: str, **group) -> dict:
        return {**self.filters.scope_args(), **measure_args(measure, self.filters.period, self.today), **group,
                "each": "obstacle"}


def scope_query(user: User, filters: StatsFilters):
    """visible_tickets(user) narrowed by the dashboard's category, province and unit. A province counts its
    own obstacles: those it only follows lie in other provinces, outside its province filter anyway."""
    base = TicketFilters(**filters.scope_args())
    return base.apply(visible_tickets(user, followed=False), user)


def build_dashboard(user: User, filters: StatsFilters, now: dt.datetime) -> Dashboard:
    scope = scope_query(user, filters)  # once: a locality's scope costs a query to build
    totals = Tally()
    parts = {name: defaultdict(Tally) for name in stats_queries.BREAKDOWNS}
    counted, medians, trend_rows = _numbers(user, filters, scope, now)
    for breakdown, key, names, values in counted:
        (totals if breakdown == "all" else parts[breakdown][key]).add(names, values)
    totals.median_seconds = medians.get(("all", None))
    for name in ("unit", "assignee"):
        for key, tally in parts[name].items():
            tally.median_seconds = medians.get((name, key))
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.id)).all()
    trend = [WeekPoint(*point) for point in trend_rows]
    by_locality = _locality_rows(filters, parts["locality"])
    return Dashboard(filters, now, totals, _category_rows(filters, categories, parts["category"]), by_locality,
                     _unit_rows(units, parts["unit"]), _specialist_rows(parts["assignee"]), trend, _day_seconds(),
                     units, [c for c in categories if c.active], _provinces(filters, by_locality))


def _numbers(user: User, filters: StatsFilters, scope, now: dt.datetime):
    """The counts, medians and trend (one round trip, the dashboard's dear one), cached by the tickets' data version
    (any write to tickets makes them miss, the sweep's crossings included) for this scope, these filters and the
    day: they read no clock but the day's (measures.due_before, missed), so a turning minute re-renders a
    dashboard from them without counting again."""
    def compute():
        return stats_queries.aggregates(scope, filters.period, filters.by_commune, now, _trend_weeks(filters))

    return data_version.cached(("dashboard numbers", *_scope_key(user, filters), local_date(now)), compute)


def numbers_key(user: User, filters: StatsFilters, now: dt.datetime) -> tuple:
    """What a rendered dashboard (or stats document) depends on besides the tickets' data version: whose scope,
    which filters, and the minute (the moment it shows; names of categories, units, localities and people read
    with the numbers' rows, changed meanwhile, show within it)."""
    return (*_scope_key(user, filters), now.replace(second=0, microsecond=0))


def _scope_key(user: User, filters: StatsFilters) -> tuple:
    who = "team" if is_team(user) else own_locality(user)
    return (who, tuple(sorted(filters.scope_args().items())), filters.period.first, filters.period.last,
            filters.by_commune)


def _trend_weeks(filters: StatsFilters) -> list:
    """The twelve weeks up to the one the period ends in."""
    weeks = [week_of(filters.period.last)]
    for _ in range(TREND_WEEKS - 1):
        weeks.insert(0, weeks[0].previous)
    return weeks


def _category_rows(filters: StatsFilters, categories: list[Category], tallies: dict) -> list[Row]:
    """Every active category (those with obstacles too); only the chosen one when the dashboard has one."""
    return [Row(c, {"category": c.code}, tallies.get(c.id, Tally())) for c in categories
            if (c.active or c.id in tallies) and (filters.category is None or filters.category.id == c.id)]


def _locality_rows(filters: StatsFilters, tallies: dict) -> list[Row]:
    """All 34 provinces for the country; for a province, itself and those of its communes with obstacles."""
    if filters.by_commune:
        wanted = select(Locality).where(Locality.id.in_([k for k in tallies if k is not None]))
        return [Row(loc, {"commune": loc.code}, tallies[loc.id])
                for loc in db.session.scalars(wanted.order_by(Locality.name)).all()]
    provinces = select(Locality).where(Locality.level == LocalityLevel.PROVINCE.value).order_by(Locality.name)
    return [Row(p, {"province": p.code}, tallies.get(p.id, Tally())) for p in db.session.scalars(provinces)]


def _provinces(filters: StatsFilters, by_locality: list[Row]) -> list[Locality]:
    """The country's rows are its provinces already; a province's dashboard offers no other (the team's, with a
    province chosen, reads them)."""
    if not filters.by_commune:
        return [row.subject for row in by_locality]
    if filters.level != "country":
        return []
    return list(db.session.scalars(select(Locality).where(Locality.level == LocalityLevel.PROVINCE.value)
                                   .order_by(Locality.name)))


def _unit_rows(units: list[Unit], tallies: dict) -> list[Row]:
    """The units with obstacles in the scope, by name; then those without a lead unit."""
    rows = [Row(u, {"unit": u.code}, tallies[u.id]) for u in units if u.id in tallies]
    if None in tallies:
        rows.append(Row(None, {"unit": "none"}, tallies[None]))
    return rows


def _specialist_rows(tallies: dict) -> list[Row]:
    wanted = [k for k in tallies if k is not None]
    users = db.session.scalars(select(User).where(User.id.in_(wanted)).options(joinedload(User.unit))
                               .order_by(User.name, User.id)).all()
    return [Row(u, {"assignee": str(u.id)}, tallies[u.id]) for u in users]


def _day_seconds() -> int:
    return 60 * sum(end - begin for begin, end in office_hours())
