"""CSV and XLSX exports of every list, with the list's own query string: /tickets/export.csv, the queues'
(/triage, /queue/unit, /queue/mine), the "6 rõ" and the policy lists. Only what the user may see."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import exports, permissions, queries
from ...localtime import local_date
from ...models import utcnow
from ...policy import policy_filters
from ..actions import perform
from ..queues.routes import queue_unit

bp = Blueprint("exports", __name__)
FORMATS = "<any(csv, xlsx):fmt>"


@bp.get(f"/tickets/export.{FORMATS}")
@login_required
def tickets(fmt: str):
    filters = queries.TicketFilters.from_args(request.args)
    return send(fmt, queries.list_query(current_user, filters), filters.order("newest"), _("Obstacles"))


@bp.get(f"/triage/export.{FORMATS}")
@login_required
@permissions.allowed_only(permissions.can_triage)
def triage(fmt: str):
    filters = queries.TicketFilters.from_args(request.args)
    return send(fmt, queries.triage_query(current_user, filters), filters.order("age"), _("Triage queue"))


@bp.get(f"/queue/unit/export.{FORMATS}")
@login_required
@permissions.allowed_only(permissions.is_team)
def unit(fmt: str):
    filters = queries.TicketFilters.from_args(request.args)
    chosen = queue_unit(filters.unit)
    if chosen is None:
        abort(404)
    return send(fmt, queries.unit_query(current_user, chosen, filters), filters.order("deadline"), _("Unit queue"))


@bp.get(f"/queue/mine/export.{FORMATS}")
@login_required
@permissions.allowed_only(permissions.is_team)
def mine(fmt: str):
    filters = queries.TicketFilters.from_args(request.args)
    return send(fmt, queries.my_work_query(current_user, filters), filters.order("deadline"), _("My work"))


@bp.get(f"/dashboard/gaps/export.{FORMATS}")
@login_required
@permissions.allowed_only(permissions.can_see_dashboard)
def gaps(fmt: str):
    filters = queries.TicketFilters.from_args(request.args)
    filters.lacking = filters.lacking or "any"
    return send(fmt, queries.list_query(current_user, filters), filters.order("newest"), _("“6 rõ” list"))


@bp.get(f"/dashboard/policy/export.{FORMATS}")
@login_required
@permissions.allowed_only(permissions.can_see_dashboard)
def policy(fmt: str):
    filters = policy_filters(queries.TicketFilters.from_args(request.args))
    return send(fmt, queries.list_query(current_user, filters), filters.order("newest"), _("Policy list"))


def send(fmt: str, query, order, title: str) -> Response:
    """The list as a download, streamed: CSV as it is read, XLSX once written to a temporary file."""
    name = f"{title} {local_date(utcnow()).strftime('%Y-%m-%d')}.{fmt}"
    perform(lambda: exports.note_export(current_user, title, fmt, request.args.to_dict()))
    cells = exports.rows(query, order)
    if fmt == "csv":
        body, mimetype = stream_with_context(exports.csv_chunks(cells)), "text/csv; charset=utf-8"
    else:
        body = exports.file_chunks(exports.write_xlsx(cells, title))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ascii_name = "".join(c if c.isascii() and c.isalnum() else "-" for c in name.rsplit(".", 1)[0])
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}.{fmt}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store"})
