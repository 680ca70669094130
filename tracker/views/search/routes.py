"""GET /search?q=: the obstacles the user may see whose title, description, replies or answers hold the words."""
from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import queries
from ...search import query
from ...search.results import SearchPage, search_tickets
from ..pages import render_queue

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.get("")
@login_required
def index():
    raw = request.args.get("q", "")
    filters = queries.TicketFilters.from_args(request.args)
    filters.q = raw.strip() or None
    problem, status = _problem(raw), 200
    if problem:
        filters.q = raw.strip()[:query.QUERY_MAX] or None
        results, status = SearchPage(), 422 if raw.strip() else 200
    else:
        results = search_tickets(current_user, filters, request.args.get("page", 1, type=int))
    return render_queue("search/results.html", results, filters, "search.index", status=status, problem=problem,
                        page_limit=query.CANDIDATES)


def _problem(raw: str) -> str | None:
    """Why the query cannot run, in the user's words; None when it can."""
    text = raw.strip()
    if not text:
        return _("Type the words you are looking for.")
    if len(text) > query.QUERY_MAX:
        return _("The search text is too long (at most %(max)d characters).", max=query.QUERY_MAX)
    if not query.terms(text):
        return _("Type words made of letters or digits.")
    return None
