"""The dashboard (the country, a unit or a province), the "6 rõ" list and the policy list."""
from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required
from markupsafe import Markup

from ... import data_version, permissions, queries, stats
from ...localtime import local_date
from ...mail.digest_mail import local_name
from ...models import utcnow
from ...policy import by_document, policy_filters
from ...stats_filters import OutOfScope, read_filters
from ..pages import render_queue
from .charts import chart_data
from .tables import Links, tables

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")



def dashboard_filters(user, args, now):
    """The dashboard's filters; 404 for a province or unit outside the user's scope."""
    try:
        return read_filters(user, args, local_date(now))
    except OutOfScope:
        abort(404)


@bp.get("")
@login_required
@permissions.allowed_only(permissions.can_see_dashboard)
def index():
    user, now = current_user, utcnow()
    filters = dashboard_filters(user, request.args, now)
    may_filter = permissions.is_team(user)

    def render_board() -> Markup:
        board = stats.build_dashboard(user, filters, now)
        links = Links(board)
        return Markup(render_template(
            "dashboard/_board.html", board=board, charts=chart_data(board), href=links, trend_href=links.week,
            tables=tables(board, links), may_filter=may_filter, local_name=local_name))

    if filters.errors:  # shown with what was typed: not kept
        return render_template("dashboard/index.html", board=render_board())
    # Kept as its numbers are (stats._numbers): a write to tickets or the next minute makes it miss; names of
    # categories, units and localities changed meanwhile show within the minute.
    key = ("dashboard page", str(get_locale()), may_filter, request.script_root,
           tuple(sorted(request.args.items(multi=True))), *stats.numbers_key(user, filters, now))
    return render_template("dashboard/index.html", board=data_version.cached(key, render_board))


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
