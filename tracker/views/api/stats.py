"""GET /api/v1/stats: the dashboard's numbers as JSON, with the same filters, scope and 404s.

On the API blueprint (base.py: tokens, errors); a filter that cannot be applied answers 422 rather than numbers
for another question.
"""
from __future__ import annotations

import marshmallow as ma
from flask import g, request
from marshmallow import fields

from ... import permissions, stats
from ...localtime import local_date
from ...models import utcnow
from ...stats_filters import OutOfScope, read_filters
from ..dashboard.tables import Links
from .base import bp, kept_json, not_visible, unprocessable
from .schemas import ErrorSchema, InputSchema, PlainDict


class StatsQuerySchema(InputSchema):
    from_ = fields.String(data_key="from", metadata={"description": "first day, dd/mm/yyyy or yyyy-mm-dd"})
    to = fields.String(metadata={"description": "last day, dd/mm/yyyy or yyyy-mm-dd"})
    category = fields.String(metadata={"description": "category code"})
    province = fields.String(metadata={"description": "GSO code"})
    unit = fields.String(metadata={"description": "unit code"})


Row = fields.List(PlainDict(keys=fields.String()), required=True)


class StatsSchema(ma.Schema):
    """The dashboard's numbers; each `links` entry is the list (/tickets, /dashboard/gaps or /dashboard/policy)
    whose count equals the number."""

    scope = fields.Dict(keys=fields.String(), required=True)
    period = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    totals = PlainDict(keys=fields.String(), required=True)
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    trend = Row
    by_category = Row
    by_commune = fields.List(PlainDict(keys=fields.String()))
    by_province = fields.List(PlainDict(keys=fields.String()))
    by_unit = Row
    by_assignee = Row


NUMBERS = ("received", "open", "overdue", "due_this_week", "new_today", "answered", "answered_on_time",
           "responded", "responded_on_time", "rated", "lacking_owner", "lacking_deadline", "lacking_outcome",
           "policy")


@bp.get("/stats")
@bp.arguments(StatsQuerySchema(), location="query")
@bp.response(200, StatsSchema)
@bp.alt_response(404, schema=ErrorSchema)
def stats_json(_args):
    """The dashboard's numbers for the caller's scope (team: the country; specialist: their unit; province
    coordinator: their province); 422 for a filter that cannot be applied."""
    user = g.api_user
    if not permissions.can_see_dashboard(user):
        raise not_visible()
    now = utcnow()
    try:
        filters = read_filters(user, request.args, local_date(now))
    except OutOfScope:
        raise not_visible() from None
    if filters.errors:
        raise unprocessable(filters.errors)
    # Kept as the rendered dashboard is, as JSON text: a write to tickets, or the next minute, makes it miss; names of
    # categories, units and localities changed meanwhile show within the minute.
    return kept_json(("stats document", *stats.numbers_key(user, filters, now)),
                     lambda: _document(stats.build_dashboard(user, filters, now)), StatsSchema())


def _document(board: stats.Dashboard) -> dict:
    f, links = board.filters, Links(board)
    return {
        "scope": {"level": f.level, "province": f.province.code if f.province else None,
                  "unit": f.unit.code if f.unit else None, "category": f.category.code if f.category else None},
        "period": {"from": f.period.first.isoformat(), "to": f.period.last.isoformat()},
        "totals": _numbers(board.totals, board.day_seconds),
        "links": {m: links(m) for m in (*NUMBERS, "median", "lacking")},
        "trend": [{"week_from": p.first_day.isoformat(), "received": p.received, "answered": p.answered,
                   "missed": p.missed} for p in board.trend],
        "by_category": [{"code": r.subject.code, "name": r.subject.name, **_numbers(r.tally, board.day_seconds)}
                        for r in board.by_category],
        "by_commune" if f.by_commune else "by_province": [
            {"code": r.subject.code, "name": r.subject.name, **_numbers(r.tally, board.day_seconds)}
            for r in board.by_locality],
        "by_unit": [{"code": r.subject.code if r.subject else None, "name": r.subject.name if r.subject else None,
                     **_numbers(r.tally, board.day_seconds)} for r in board.by_unit],
        "by_assignee": [{"id": r.subject.id, "name": str(r.subject),
                         "unit": r.subject.unit.code if r.subject.unit else None,
                         **_numbers(r.tally, board.day_seconds)} for r in board.by_specialist],
    }


def _numbers(tally: stats.Tally, day_seconds: int) -> dict:
    return {**{name: getattr(tally, name) for name in NUMBERS},
            "answer_compliance": tally.answer_compliance, "first_response_compliance": tally.first_response_compliance,
            "median_working_days": tally.median_days(day_seconds), "average_rating": tally.average_rating}
