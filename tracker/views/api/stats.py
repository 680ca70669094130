"""GET /api/v1/stats: the dashboard's numbers as JSON, with the same filters, scope and 404s.

Its own blueprint under /api/v1, authenticated like the rest of the API (the same before_request and
error shape); a filter that cannot be applied answers 422 rather than numbers for another question.
"""
from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from ... import permissions, stats
from ...extensions import csrf
from ...localtime import local_date
from ...models import utcnow
from ...stats_filters import OutOfScope, read_filters
from ..dashboard.tables import Links
from .routes import authenticate, json_error
from .spec import SCHEMAS, operation, query_param

bp = Blueprint("api_stats", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.before_request(authenticate)
for code in (404, 405):  # before the app's HTML pages for these codes
    bp.register_error_handler(code, json_error)

SCHEMAS["Stats"] = {"type": "object", "description": "The dashboard's numbers; each `links` entry is the list "
                    "(/tickets, /dashboard/gaps or /dashboard/policy) whose count equals the number."}
NUMBERS = ("received", "open", "overdue", "due_this_week", "new_today", "answered", "answered_on_time",
           "responded", "responded_on_time", "rated", "lacking_owner", "lacking_deadline", "lacking_outcome",
           "policy")


@bp.get("/stats")
@operation("GET", "/stats", "The dashboard's numbers for the caller's scope (team: the country; specialist: "
           "their unit; province coordinator: their province)", {200: "Stats", 401: "Error", 404: "Error",
                                                                  422: "Error: a filter that cannot be applied"},
           parameters=[query_param("from", {"type": "string"}, "first day, dd/mm/yyyy or yyyy-mm-dd"),
                       query_param("to", {"type": "string"}, "last day, dd/mm/yyyy or yyyy-mm-dd"),
                       query_param("category", {"type": "string"}), query_param("province", {"type": "string"}),
                       query_param("unit", {"type": "string"})])
def stats_json():
    user = g.api_user
    if not permissions.can_see_dashboard(user):
        abort(404)
    now = utcnow()
    try:
        filters = read_filters(user, request.args, local_date(now))
    except OutOfScope:
        abort(404)
    if filters.errors:
        with force_locale(user.locale or "vi"):
            return jsonify(error=_("The request has errors."),
                           errors={name: str(message) for name, message in filters.errors.items()}), 422
    with force_locale(user.locale or "vi"):
        return jsonify(_document(stats.build_dashboard(user, filters, now)))


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
