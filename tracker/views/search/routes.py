"""GET /search?q=: the obstacles the user may see whose title, description, replies or answers hold the words."""
from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import queries
from ...i18n import format_date_vn
from ...search import query, similar
from ...search.results import SearchPage, search_tickets
from ..pages import render_queue

bp = Blueprint("search", __name__, url_prefix="/search")
DRAFT_CHARS = 2000  # of a description being typed: its start says what it is about


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


@bp.get("/similar")
@login_required
def similar_to_draft():
    """Before filing: published guidance and answered obstacles (that this user may see) like the title and
    description being typed. JSON for the filing form's script; the form works without it."""
    title = (request.args.get("title") or "")[:300]
    description = (request.args.get("description") or "")[:DRAFT_CHARS]
    text = similar.Text.from_text(title, description)
    guidance = similar.similar_guidance(text)
    answered = similar.similar_answered(current_user, text)
    return jsonify(
        guidance=[{"title": g.title, "url": url_for("guidance.show", guidance_id=g.id),
                   "published": format_date_vn(g.published_at)} for g in guidance],
        answered=[{"reference": t.reference, "title": t.title, "url": url_for("tickets.show", reference=t.reference)}
                  for t in answered])
