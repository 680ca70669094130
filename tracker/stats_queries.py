"""The dashboard's SQL: every count, the medians and the trend, each from index ranges alone.

Each part of the counts reads one range of an ix_tickets_kpi_* index (index-only on PostgreSQL): what is
open now, what was filed today, and what was filed, answered and first-responded in the period. Each part
is counted for the whole scope and per category, locality, lead unit and assignee: on PostgreSQL with
GROUPING SETS (one pass per part; medians by percentile_cont, in the same round trip), on SQLite — the
embedded default, for small installations — with one GROUP BY per breakdown.
"""
from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from sqlalchemy import case, func, literal, literal_column, text, union_all

from . import measures
from .enums import OPEN_STATUSES
from .extensions import db
from .localtime import local_date, local_midnight
from .models import Ticket

OPEN_VALUES = [s.value for s in OPEN_STATUSES]
BREAKDOWNS = ("category", "locality", "unit", "assignee")  # with "all", the sets each part is counted by
MEASURES = {
    "now": ("open", "overdue", "due_this_week", "lacking_owner", "lacking_deadline", "lacking_outcome"),
    "today": ("new_today",),
    "received": ("received",),
    "answered": ("answered", "answered_on_time", "rated", "rating_total", "policy"),
    "responded": ("responded", "responded_on_time"),
}
WIDTH = max(len(names) for names in MEASURES.values())


def _keys(by_commune: bool) -> dict:
    return {"category": Ticket.category_id, "locality": Ticket.locality_id if by_commune else Ticket.province_id,
            "unit": Ticket.lead_unit_id, "assignee": Ticket.assignee_id}


def _parts(period, now: dt.datetime) -> dict:
    """Each part: the index range it reads, and what it counts there (MEASURES names them)."""
    midnight = local_midnight(local_date(now))
    week_end = local_midnight(local_date(now) + dt.timedelta(days=7 - local_date(now).weekday()))
    count, rated = measures.count, Ticket.rating.is_not(None)
    return {
        "now": (Ticket.status.in_(OPEN_VALUES),
                [count(measures.awaiting_answer()), count(measures.overdue()),
                 count(measures.due_before(week_end)), count(measures.lacking("owner")),
                 count(measures.lacking("deadline")), count(measures.lacking("outcome"))]),
        # A closed range, as the list of today's obstacles has it: with an open one, SQLite's planner walked a
        # whole breakdown's index to group by it (0.8 s at 200,000) instead of today's few rows.
        "today": (measures.between(Ticket.created_at, midnight, local_midnight(local_date(now) + dt.timedelta(days=1))),
                  [func.count()]),
        "received": (measures.between(Ticket.created_at, period.start, period.end), [func.count()]),
        "answered": (measures.between(Ticket.answered_at, period.start, period.end),
                     [func.count(), count(measures.answered_on_time()), count(rated),
                      measures.total(rated, Ticket.rating), count(measures.needs_legal_change())]),
        "responded": (measures.between(Ticket.first_responded_at, period.start, period.end),
                      [func.count(), count(measures.responded_on_time())]),
    }


def aggregates(scope, period, by_commune: bool, now: dt.datetime, weeks: list = ()) -> tuple[list[tuple], dict, list]:
    """Every count, the medians and the weekly trend, in one round trip.

    Returns the counts as (breakdown, key, measure names, values), breakdown "all" (key None) or one of
    BREAKDOWNS, the medians as {("all", None) / ("unit", id) / ("assignee", id): working seconds}, and the
    trend of `weeks` as trend() gives it.
    """
    keys = _keys(by_commune)
    selects = []
    for kind, (rows, sums) in _parts(period, now).items():
        padded = [*sums, *[literal_column("0")] * (WIDTH - len(sums))]
        part = scope.where(rows)
        selects += (_grouping_sets if _postgres() else _group_bys)(part, kind, keys, padded)
    selects.append(_median_part(scope, period))
    selects += _trend_parts(scope, weeks)
    counted, medians, weekly = [], [], {}
    for kind, breakdown, key, *values in db.session.execute(union_all(*selects)):
        if kind == "median":
            medians.append((breakdown, key, values[0]))
        elif kind == "trend":
            weekly[breakdown] = int(values[0])
        else:
            names = MEASURES[kind]
            counted.append((_breakdown(breakdown), key, names, [int(v) for v in values[:len(names)]]))
    trend_rows = [(week.first_day, *(weekly.get(3 * i + n, 0) for n in range(3))) for i, week in enumerate(weeks)]
    return counted, _medians(medians), trend_rows


def _trend_parts(scope, weeks: list) -> list:
    """trend()'s counts as rows of the aggregates' union: ("trend", 3 × week + measure, NULL, count, 0...), one
    select per measure over the weeks' whole range, grouped by week (a select per week read a province's
    obstacles again for each of them on SQLite: 0.5 s)."""
    if not weeks:
        return []
    zeros = [literal_column("0")] * (WIDTH - 1)
    parts = []
    for n, (column, *conditions) in enumerate(((Ticket.created_at,), (Ticket.answered_at,),
                                               (Ticket.answer_due_at, measures.missed()))):
        week_and_measure = case(*((column < week.end, literal(3 * i + n)) for i, week in enumerate(weeks)))
        parts.append(scope.with_only_columns(literal("trend"), week_and_measure, literal(None), func.count(), *zeros)
                     .where(measures.between(column, weeks[0].start, weeks[-1].end), *conditions)
                     .group_by(literal_column("2")))  # by position: the CASE's parameters differ from the select's
    return parts


def _group_bys(part, kind: str, keys: dict, sums: list) -> list:
    selects = [part.with_only_columns(literal(kind), literal(15), literal(None), *sums)]
    for bit, key in enumerate(keys.values()):
        selects.append(part.with_only_columns(literal(kind), literal(15 - (8 >> bit)), key, *sums).group_by(key))
    return selects


def _grouping_sets(part, kind: str, keys: dict, sums: list) -> list:
    """One pass: GROUPING() tells the sets apart (bit set = column not grouped; the first column is 8)."""
    columns = list(keys.values())
    grouped_key = func.coalesce(*columns)  # only one of them is grouped in each set; the others are NULL
    return [part.with_only_columns(literal(kind), func.grouping(*columns), grouped_key, *sums)
            .group_by(func.grouping_sets(*columns, text("()")))]


def _breakdown(grouping: int) -> str:
    """15 is the whole scope; 7, 11, 13, 14 the first to fourth breakdown."""
    return "all" if grouping == 15 else BREAKDOWNS[{7: 0, 11: 1, 13: 2, 14: 3}[grouping]]


def _median_part(scope, period):
    """The medians' share of the round trip: on PostgreSQL the medians themselves (percentile_cont per
    grouping set: 3 is all, 1 per lead unit, 2 per assignee); on SQLite each answer's working seconds, with
    its lead unit and assignee, for _medians to sort."""
    seconds = Ticket.answer_working_seconds
    answered = scope.where(measures.between(Ticket.answered_at, period.start, period.end), seconds.is_not(None))
    zeros = [literal_column("0")] * (WIDTH - 1)
    if _postgres():
        return (answered.with_only_columns(
            literal("median"), func.grouping(Ticket.lead_unit_id, Ticket.assignee_id),
            func.coalesce(Ticket.lead_unit_id, Ticket.assignee_id), func.percentile_cont(0.5).within_group(seconds),
            *zeros).group_by(func.grouping_sets(Ticket.lead_unit_id, Ticket.assignee_id, text("()"))))
    return answered.with_only_columns(literal("median"), Ticket.lead_unit_id, Ticket.assignee_id, seconds, *zeros)


def _medians(rows: list[tuple]) -> dict[tuple[str, int | None], float]:
    """Median working seconds to answer (the mean of the two middle values for an even count)."""
    if _postgres():
        names = {3: "all", 1: "unit", 2: "assignee"}
        return {(names[g], None if g == 3 else key): float(value) for g, key, value in rows
                if value is not None}  # the grand total's row comes even when nothing was answered
    groups: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for unit_id, assignee_id, value in rows:
        for key in (("all", None), ("unit", unit_id), ("assignee", assignee_id)):
            groups[key].append(value)
    return {key: float(statistics.median(values)) for key, values in groups.items()}


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"
