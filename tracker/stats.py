"""The dashboard's numbers: counts, compliance, median working days to answer, ratings, by category, by
province (or commune), by unit and specialist, and the weekly trend.

A fixed handful of queries whatever the data: one aggregate grouped by (category, locality, unit,
assignee) over the rows that can count, one for the trend, one for the medians, and the names. Every
count starts from visible_tickets(user) and uses measures.py's definitions, so each number equals the
count of the list it links to (`list_args`).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields

from sqlalchemy import and_, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from . import measures
from .enums import OPEN_STATUSES, LocalityLevel
from .extensions import db
from .localtime import local_date, local_midnight
from .models import Category, Locality, Ticket, Unit, User
from .permissions import visible_tickets
from .queries import TicketFilters
from .stats_filters import TREND_WEEKS, Period, StatsFilters
from .weeks import week_of
from .worktime.calendar import office_hours

OPEN_VALUES = [s.value for s in OPEN_STATUSES]


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

    def add(self, values) -> None:
        for name, value in zip(COUNTED, values, strict=True):
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


COUNTED = tuple(f.name for f in fields(Tally) if f.name != "median_seconds")

# Which list makes each number: its query arguments on top of the dashboard's scope (stats_filters).
# `None` pages are /tickets; the others are the "6 rõ" and policy lists.
LIST_PAGE = {"lacking_owner": "gaps", "lacking_deadline": "gaps", "lacking_outcome": "gaps", "lacking": "gaps",
             "policy": "policy"}


def measure_args(measure: str, period: Period, today: dt.date) -> dict:
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
    overdue: int

    def args(self, measure: str, today: dt.date) -> dict:
        week = Period(self.first_day, self.first_day + dt.timedelta(days=6))
        if measure == "received":
            return week.args("filed")
        if measure == "answered":
            return week.args("answered")
        return {"overdue_on": min(week.last, today).strftime("%d/%m/%Y")}


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

    @property
    def today(self) -> dt.date:
        return local_date(self.now)

    def list_args(self, measure: str, **group) -> dict:
        return {**self.filters.scope_args(), **measure_args(measure, self.filters.period, self.today), **group}


def scope_query(user: User, filters: StatsFilters):
    """visible_tickets(user) narrowed by the dashboard's category, province and unit."""
    base = TicketFilters(**filters.scope_args())
    return base.apply(visible_tickets(user), user)


def build_dashboard(user: User, filters: StatsFilters, now: dt.datetime) -> Dashboard:
    groups = _grouped(user, filters, now)
    medians = _medians(user, filters)
    totals = Tally()
    parts = {name: defaultdict(Tally) for name in ("category", "locality", "unit", "assignee")}
    for category_id, locality_id, unit_id, assignee_id, *values in groups:
        totals.add(values)
        for name, key in (("category", category_id), ("locality", locality_id), ("unit", unit_id),
                          ("assignee", assignee_id)):
            parts[name][key].add(values)
    totals.median_seconds = medians.get(("all", 0))
    for name in ("unit", "assignee"):
        for key, tally in parts[name].items():
            tally.median_seconds = medians.get((name, key))
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    return Dashboard(filters, now, totals, _category_rows(parts["category"]),
                     _locality_rows(filters, parts["locality"]), _unit_rows(units, parts["unit"]),
                     _specialist_rows(parts["assignee"]), _trend(user, filters, now), _day_seconds(), units)


def _columns(filters: StatsFilters, now: dt.datetime) -> list:
    period, today = filters.period, local_date(now)
    answered = measures.between(Ticket.answered_at, period.start, period.end)
    responded = measures.between(Ticket.first_responded_at, period.start, period.end)
    week_end = local_midnight(today + dt.timedelta(days=7 - today.weekday()))
    conditions = {
        "received": measures.between(Ticket.created_at, period.start, period.end),
        "open": measures.awaiting_answer(), "overdue": measures.overdue(),
        "due_this_week": measures.due_between(now, week_end),
        "new_today": Ticket.created_at >= local_midnight(today),
        "answered": answered, "answered_on_time": and_(answered, measures.answered_on_time()),
        "responded": responded, "responded_on_time": and_(responded, measures.responded_on_time()),
        "rated": and_(answered, Ticket.rating.is_not(None)),
        "lacking_owner": measures.lacking("owner"), "lacking_deadline": measures.lacking("deadline"),
        "lacking_outcome": measures.lacking("outcome"), "policy": and_(answered, measures.needs_legal_change()),
    }
    return [measures.total(conditions["rated"], Ticket.rating) if name == "rating_total"
            else measures.count(conditions[name]) for name in COUNTED]


def _grouped(user: User, filters: StatsFilters, now: dt.datetime) -> list[tuple]:
    """Every count of every group in one pass over the rows that can count (open now, or filed, answered or
    first-responded in the period, or filed today)."""
    period = filters.period
    locality = Ticket.locality_id if filters.by_commune else Ticket.province_id
    keys = (Ticket.category_id, locality, Ticket.lead_unit_id, Ticket.assignee_id)
    may_count = or_(Ticket.status.in_(OPEN_VALUES),
                    measures.between(Ticket.created_at, period.start, period.end),
                    Ticket.created_at >= local_midnight(local_date(now)),
                    measures.between(Ticket.answered_at, period.start, period.end),
                    measures.between(Ticket.first_responded_at, period.start, period.end))
    query = (scope_query(user, filters).with_only_columns(*keys, *_columns(filters, now))
             .where(may_count).group_by(*keys))
    return db.session.execute(query).all()


def _medians(user: User, filters: StatsFilters) -> dict[tuple[str, int], float]:
    """Median working seconds to answer of the obstacles answered in the period: of all, per lead unit and
    per assignee, in one round trip (the middle row, or the mean of the two middle rows, of each group)."""
    period = filters.period
    seconds = Ticket.answer_working_seconds
    answered = (scope_query(user, filters)
                .where(measures.between(Ticket.answered_at, period.start, period.end), seconds.is_not(None)))
    parts = []
    for name, key in (("all", literal(0)), ("unit", Ticket.lead_unit_id), ("assignee", Ticket.assignee_id)):
        ranked = answered.with_only_columns(
            key.label("key"), seconds.label("seconds"),
            func.row_number().over(partition_by=key, order_by=seconds).label("position"),
            func.count().over(partition_by=key).label("size")).subquery()
        middle = or_(ranked.c.position == (ranked.c.size + 1) // 2, ranked.c.position == ranked.c.size // 2 + 1)
        parts.append(select(literal(name).label("name"), ranked.c.key, func.avg(ranked.c.seconds))
                     .where(middle).group_by(ranked.c.key))
    return {(name, key if key is not None else None): float(value)
            for name, key, value in db.session.execute(union_all(*parts)).all()}


def _trend(user: User, filters: StatsFilters, now: dt.datetime) -> list[WeekPoint]:
    """Received, answered and overdue at the end of each of the twelve weeks up to the period's end."""
    last = week_of(filters.period.last)
    weeks = [last]
    for _ in range(TREND_WEEKS - 1):
        weeks.insert(0, weeks[0].previous)
    start, end = weeks[0].start, weeks[-1].end
    columns = []
    for week in weeks:
        moment = min(week.end, now)
        columns += [measures.count(measures.between(Ticket.created_at, week.start, week.end)),
                    measures.count(measures.between(Ticket.answered_at, week.start, week.end)),
                    measures.count(measures.overdue_at(moment))]
    may_count = or_(Ticket.status.in_(OPEN_VALUES), measures.between(Ticket.created_at, start, end),
                    Ticket.answered_at >= start, Ticket.closed_at >= start)
    row = db.session.execute(scope_query(user, filters).with_only_columns(*columns).where(may_count)).one()
    return [WeekPoint(week.first_day, *map(int, row[3 * i:3 * i + 3])) for i, week in enumerate(weeks)]


def _category_rows(tallies: dict) -> list[Row]:
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.id)).all()
    return [Row(c, {"category": c.code}, tallies.get(c.id, Tally())) for c in categories
            if c.active or c.id in tallies]


def _locality_rows(filters: StatsFilters, tallies: dict) -> list[Row]:
    """All 34 provinces for the country; for a province, itself and those of its communes with obstacles."""
    if filters.by_commune:
        wanted = select(Locality).where(Locality.id.in_([k for k in tallies if k is not None]))
        return [Row(loc, {"commune": loc.code}, tallies[loc.id])
                for loc in db.session.scalars(wanted.order_by(Locality.name)).all()]
    provinces = select(Locality).where(Locality.level == LocalityLevel.PROVINCE.value).order_by(Locality.name)
    return [Row(p, {"province": p.code}, tallies.get(p.id, Tally())) for p in db.session.scalars(provinces)]


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
