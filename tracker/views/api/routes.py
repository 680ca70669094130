"""Obstacles in the JSON API: list (cursor pages for machines), read (with an ETag), file.
Not-visible objects answer 404, never 403 with details (base.py: the blueprint, tokens, errors)."""
from flask import current_app, g, request

from ... import permissions, queries
from ...enums import Role
from ...lookups import by_code
from ...models import Category, Locality
from ...tickets import file_ticket
from . import cursors
from .action_schemas import NewTicketUploadSchema
from .base import bp, commit, kept_json, not_visible
from .schemas import ErrorSchema, NewTicketSchema, TicketPageSchema, TicketQuerySchema, TicketSchema, ticket_document
from .schemas import ticket_summary as summary

CURSOR_ARGS = {"limit", "cursor", "updated_since", "order"}


@bp.get("/tickets")
@bp.arguments(TicketQuerySchema(), location="query", as_kwargs=True)
@bp.response(200, TicketPageSchema)
def list_tickets(**args):
    """The obstacles this user may see, with the queues' filters. People's pages: `page` (newest first or
    `sort`, with a total). Machines' pages: `limit`, `cursor`, `updated_since` or `order` ask for keyset pages
    in a stable order, no total, each with the `next_cursor` of the following page (null at the end)."""
    filters = queries.TicketFilters.from_args(request.args)
    if not CURSOR_ARGS & args.keys():
        page = args.get("page")
        return kept_json(_people_page_key(g.api_user), lambda: _people_page(filters, page), TicketPageSchema())
    order = args.get("order") or ("updated" if args.get("updated_since") else "newest")
    after = cursors.read(args["cursor"], order) if args.get("cursor") else None
    limit = args.get("limit") or current_app.config["PAGE_SIZE"]
    rows = queries.ticket_keyset(g.api_user, filters, order=order, after=after,
                                 updated_since=args.get("updated_since"), limit=limit)
    items, more = rows[:limit], len(rows) > limit
    return {"items": [summary(t) for t in items], "page": None, "pages": None, "total": None,
            "next_cursor": cursors.write(order, items[-1]) if more else None}


def _people_page(filters, number: int | None) -> dict:
    page = queries.ticket_list(g.api_user, filters, number or 1, one_per_issue=False, tabs=(),
                               loads=queries.SUMMARY_LOADS)
    return {"items": [summary(t) for t in page.items], "page": page.page, "pages": page.pages,
            "total": page.total, "next_cursor": None}


def _people_page_key(user) -> tuple:
    """A numbered page is kept until tickets change (data_version): it holds stored values and codes only, nothing
    that moves with the clock or the language. Per user (what they may see) and query string."""
    return ("api ticket page", user.id, user.role, user.locality_id, user.unit_id,
            tuple(sorted(request.args.items(multi=True))))


@bp.get("/tickets/<reference>")
@bp.etag
@bp.response(200, TicketSchema)
@bp.alt_response(404, schema=ErrorSchema)
def get_ticket(reference: str):
    """One obstacle with what this user may see of it: messages, files, links, deadlines, the answer. Its
    `ETag` changes with anything shown; `If-None-Match` with the same ETag answers 304 Not Modified."""
    ticket = permissions.get_visible_ticket(g.api_user, reference)
    return ticket_document(g.api_user, ticket)


@bp.post("/tickets")
@bp.arguments(NewTicketSchema(), location="json_or_form")
@bp.doc(requestBody={"content": {"multipart/form-data": {"schema": NewTicketUploadSchema}}})
@bp.response(201, TicketSchema)
@bp.alt_response(404, schema=ErrorSchema)
def create_ticket(data):
    """File an obstacle (commune officers and province coordinators)."""
    user = g.api_user
    if not permissions.can_file(user):
        raise not_visible()
    locality_code = data["locality"] if user.role_enum is Role.PROVINCE else user.locality.code
    ticket = commit(lambda: file_ticket(
        user, locality=by_code(Locality, locality_code), category=by_code(Category, data["category"]),
        title=data["title"], description=data["description"], legal_basis=data["legal_basis"],
        requested_urgency=data["urgency"] or "normal", files=request.files.getlist("attachments")))
    return ticket_document(user, ticket)
