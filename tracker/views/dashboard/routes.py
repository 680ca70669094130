"""The dashboard (the country, a unit or a province), the "6 rõ" list and the policy list."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from ... import permissions, queries, stats
from ...localtime import local_date
from ...mail.digest_mail import local_name
from ...models import utcnow
from ...policy import by_document, policy_filters
from ...stats_filters import OutOfScope, read_filters
from ..pages import render_queue
from .charts import chart_data
from .tables import Links, tables

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

def load_dashboard(user, args) -> stats.Dashboard:
    """The user's dashboard for these filters; 404 for a province or unit outside their scope."""
    now = utcnow()
    try:
        filters = read_filters(user, args, local_date(now))
    except OutOfScope:
        abort(404)
    return stats.build_dashboard(user, filters, now)


@bp.get("")
@login_required
@permissions.allowed_only(permissions.can_see_dashboard)
def index():
    board = load_dashboard(current_user, request.args)
    links = Links(board)
    return render_template("dashboard/index.html", board=board, charts=chart_data(board), href=links,
                           trend_href=links.week, tables=tables(board, links),
                           may_filter=permissions.is_team(current_user), local_name=local_name)


@bp.get("/gaps")
@login_required
@permissions.allowed_only(permissions.can_see_dashboard)
def gaps():
    """"6 rõ": open obstacles lacking an owner, a deadline or (answered) an outcome."""
    filters = queries.TicketFilters.from_args(request.args)
    filters.lacking = filters.lacking or "any"
    page = queries.ticket_list(current_user, filters, request.args.get("page", 1, type=int))
    return render_queue("dashboard/gaps.html", page, filters, "dashboard.gaps")


@bp.get("/policy")
@login_required
@permissions.allowed_only(permissions.can_see_dashboard)
def policy():
    """Answered obstacles whose outcome is that the law must change, by legal document and category."""
    filters = policy_filters(queries.TicketFilters.from_args(request.args))
    page = queries.ticket_list(current_user, filters, request.args.get("page", 1, type=int))
    return render_queue("dashboard/policy.html", page, filters, "dashboard.policy",
                        groups=by_document(current_user, filters))
