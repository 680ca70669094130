"""Every action the web offers on an obstacle, through the API: POST /api/v1/tickets/<reference>/<action>.

Each endpoint loads the ticket through the one visibility scope (404 when not visible), calls the same domain
function as the web page and commits once (`base.commit`); a refusal is the domain's own message, in the
caller's language. Triage and bulk triage are 404 for whoever may not triage, as their pages are. Writes take
the version the client read: `If-Match` with the ticket's ETag (412 when it moved on), or `version` in the
body (409 when stale), or neither (the current version: last write wins).

The actions that carry a message (ask, reply, messages, answer) take JSON, or multipart/form-data with the
same fields and files in `attachments`, checked by content like the web's uploads.
"""
from __future__ import annotations

from flask import g, request, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ... import attachments, permissions, workflow
from ...bulk import bulk_triage
from ...extensions import db
from ...lookups import chosen
from ...models import Attachment, Category, Ticket, Unit, utcnow
from ...tickets import UNCHANGED, chosen_assignee, post_message, start_work, triage_ticket
from . import action_schemas as schemas
from .base import ApiError, bp, commit, not_visible
from .schemas import ErrorSchema, TicketSchema, ticket_document, ticket_summary

MOVED_ON = _l("This obstacle changed since you read it (If-Match): read it again, then retry.")
JSON_OR_FORM = "json_or_form"
FILE_TYPES = "*/*"
IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "the ETag of the obstacle as read (GET /tickets/{reference}): 412 if it changed since"}


def _refusals(view):
    """What an action may answer besides the ticket (401 and 403 are on every operation), and its optional
    If-Match header."""
    for code in (404, 409, 412, 422):
        view = bp.alt_response(code, schema=ErrorSchema)(view)
    return bp.doc(parameters=[IF_MATCH])(view)


def _uploads(schema):
    """Document the multipart/form-data variant of a message-bearing action (same fields, plus files); the
    JSON variant is documented by the arguments (base.Blueprint maps json_or_form to JSON)."""
    return bp.doc(requestBody={"content": {"multipart/form-data": {"schema": schema}}})


def _ticket(reference: str) -> Ticket:
    return permissions.get_visible_ticket(g.api_user, reference, for_update=True)


def _version(ticket: Ticket, data: dict):
    """The version the client read: If-Match wins over the body's `version`; neither means the current one."""
    if request.if_match:
        if not (request.if_match.star_tag or _etag(ticket) in request.if_match):
            raise ApiError(412, MOVED_ON)
        return ticket.version
    return data.get("version", ticket.version)


def _etag(ticket: Ticket) -> str:
    """The ETag GET /tickets/<reference> gives this caller (smorest's: a hash of the document as shown)."""
    return bp._generate_etag(TicketSchema().dump(ticket_document(g.api_user, ticket)))


def _files():
    return request.files.getlist("attachments")


def _answer(ticket: Ticket) -> dict:
    """The updated ticket (`bp.etag` gives it its new ETag)."""
    return ticket_document(g.api_user, ticket)


def _triage_only() -> None:
    if not permissions.can_triage(g.api_user):
        raise not_visible()


@bp.post("/tickets/<reference>/triage")
@bp.arguments(schemas.TriageSchema())
@bp.etag
@bp.response(200, TicketSchema)
@_refusals
def triage(data, reference):
    """Triage one obstacle: category, urgency, lead and coordinating units, assignee, a deadline named by a
    directive. A field left out keeps its value (triage only)."""
    _triage_only()
    ticket = _ticket(reference)
    user, version = g.api_user, _version(ticket, data)

    def action():
        units = data.get("coordinating_units")
        return triage_ticket(
            user, ticket, version=version, now=utcnow(),
            category=chosen(Category, data["category"], "category") if "category" in data else ticket.category,
            urgency=data.get("urgency", ticket.urgency),
            lead_unit=chosen(Unit, data["lead_unit"], "lead_unit") if "lead_unit" in data else ticket.lead_unit,
            assignee=chosen_assignee(data["assignee"]) if "assignee" in data else ticket.assignee,
            due_date=data.get("due_date", UNCHANGED),
            coordinating_units=None if units is None else [chosen(Unit, c, "coordinating_units") for c in units])

    commit(action)
    return _answer(ticket)


@bp.post("/tickets/<reference>/start")
@bp.arguments(schemas.StartSchema())
@bp.etag
@bp.response(200, TicketSchema)
@_refusals
def start(data, reference):
    """Start work on an assigned obstacle (its lead unit's specialists, triage)."""
    ticket = _ticket(reference)
    version = _version(ticket, data)
    commit(lambda: start_work(g.api_user, ticket, version=version))
    return _answer(ticket)


@bp.post("/tickets/<reference>/ask")
@bp.arguments(schemas.AskSchema(), location=JSON_OR_FORM)
@_uploads(schemas.AskUploadSchema)
@bp.etag
@bp.response(200, TicketSchema)
@_refusals
def ask(data, reference):
    """Ask the locality for what is missing: the obstacle waits for it, its deadlines paused."""
    ticket = _ticket(reference)
    version = _version(ticket, data)
    commit(lambda: workflow.ask_locality(g.api_user, ticket, version=version, body=data["body"], files=_files()))
    return _answer(ticket)


@bp.post("/tickets/<reference>/reply")
@bp.arguments(schemas.ReplySchema(), location=JSON_OR_FORM)
@_uploads(schemas.ReplyUploadSchema)
@bp.etag
@bp.response(200, TicketSchema)
@_refusals
def reply(data, reference):
    """A reply the locality sees, or the locality's reply to the team (when it was asked, the clock resumes)."""
    ticket = _ticket(reference)
    version = _version(ticket, data) if "version" in data or request.if_match else None
    commit(lambda: post_message(g.api_user, ticket, body=data["body"], files=_files(), version=version))
    return _answer(ticket)


@bp.post("/tickets/<reference>/messages")
@bp.arguments(schemas.PostMessageSchema(), location=JSON_OR_FORM)
@_uploads(schemas.PostMessageUploadSchema)
@bp.etag
@bp.response(200, TicketSchema)
@_refusals
def message(data, reference):
    """A reply, or with `internal` an internal note the locality never sees (the team only)."""
    ticket = _ticket(reference)
    version = _version(ticket, data) if "version" in data or request.if_match else None
    commit(lambda: post_message(g.api_user, ticket, body=data["body"], internal=data["internal"], files=_files(),
                                version=version))
    return _answer(ticket)


@bp.post("/tickets/<reference>/answer")
@bp.arguments(schemas.AnswerSchema(), location=JSON_OR_FORM)
@_uploads(schemas.AnswerUploadSchema)
@bp.etag
@bp.response(200, TicketSchema)
@_refusals
def answer(data, reference):
    """Answer the obstacle: the text, its outcome, and optionally the official reply document and its file."""
    ticket = _ticket(reference)
    version = _version(ticket, data)
    commit(lambda: workflow.answer(
        g.api_user, ticket, version=version, body=data["body"], outcome=data["outcome"],
        reply_doc_number=data["reply_doc_number"], reply_doc_date=data["reply_doc_date"], files=_files()))
    return _answer(ticket)


@bp.post("/tickets/<reference>/confirm")
@bp.arguments(schemas.ConfirmSchema())
@bp.etag
@bp.response(200, TicketSchema)
@_refusals
def confirm(data, reference):
    """The filing locality accepts the answer: the obstacle closes."""
    ticket = _ticket(reference)
    version = _version(ticket, data)
    commit(lambda: workflow.confirm_answer(g.api_user, ticket, version=version))
    return _answer(ticket)


@bp.post("/tickets/<reference>/reopen")
@bp.arguments(schemas.ReopenSchema())
@bp.etag
@bp.response(200, TicketSchema)
@_refusals
def reopen(data, reference):
    """The filing locality is not satisfied: its reason goes to the team, the work resumes."""
    ticket = _ticket(reference)
    version = _version(ticket, data)
    commit(lambda: workflow.reopen(g.api_user, ticket, version=version, reason=data["reason"]))
    return _answer(ticket)


@bp.post("/tickets/<reference>/rating")
@bp.arguments(schemas.RatingSchema())
@bp.etag
@bp.response(200, TicketSchema)
@_refusals
def rating(data, reference):
    """The filing locality rates the answer once, from 1 (very dissatisfied) to 5 (very satisfied)."""
    ticket = _ticket(reference)
    version = _version(ticket, data)
    commit(lambda: workflow.rate(g.api_user, ticket, version=version, score=data["score"],
                                 comment=data["comment"]))
    return _answer(ticket)


@bp.post("/tickets/<reference>/merge")
@bp.arguments(schemas.MergeSchema())
@bp.etag
@bp.response(200, TicketSchema)
@_refusals
def merge(data, reference):
    """Merge a duplicate into the main obstacle (triage); its locality can follow the main one."""
    ticket = _ticket(reference)
    version = _version(ticket, data)
    main = permissions.find_visible_ticket(g.api_user, data["main"])
    commit(lambda: workflow.mark_duplicate(g.api_user, ticket, version=version, main=main))
    return _answer(ticket)


@bp.post("/tickets/<reference>/links")
@bp.arguments(schemas.LinkSchema())
@bp.etag
@bp.response(200, TicketSchema)
@_refusals
def link(data, reference):
    """Relate two obstacles (triage)."""
    ticket = _ticket(reference)
    other = permissions.find_visible_ticket(g.api_user, data["other"])
    commit(lambda: workflow.link(g.api_user, ticket, other=other))
    return _answer(ticket)


@bp.post("/tickets/<reference>/transfer")
@bp.arguments(schemas.TransferSchema())
@bp.etag
@bp.response(200, TicketSchema)
@_refusals
def transfer(data, reference):
    """Outside the ministry's remit: close as transferred to a named agency, with a note the locality sees."""
    ticket = _ticket(reference)
    version = _version(ticket, data)
    commit(lambda: workflow.transfer(g.api_user, ticket, version=version, agency=data["agency"], note=data["note"]))
    return _answer(ticket)


@bp.post("/triage/bulk")
@bp.arguments(schemas.BulkTriageSchema())
@bp.response(200, schemas.BulkResultSchema)
@_refusals
def bulk(data):
    """Assign several obstacles to a unit (and a specialist), or set their urgency; one refusal refuses all."""
    _triage_only()
    tickets = commit(lambda: bulk_triage(
        g.api_user, data["tickets"], data.get("versions"), action=data["action"], unit=data.get("unit"),
        assignee=data.get("assignee"), urgency=data.get("urgency"), now=utcnow()))
    return {"updated": len(tickets), "items": [ticket_summary(t) for t in tickets]}


@bp.get("/tickets/<reference>/attachments/<int:attachment_id>")
@bp.doc(responses={200: {"description": "the file, as it was uploaded",
                         "content": {FILE_TYPES: {"schema": {"type": "string", "format": "binary"}}}}})
@bp.alt_response(404, schema=ErrorSchema)
def download(reference, attachment_id):
    """Download a file of the obstacle (a note's files: the team only); recorded in the audit trail."""
    ticket = permissions.get_visible_ticket(g.api_user, reference)
    attachment = db.session.scalar(select(Attachment).where(Attachment.id == attachment_id,
                                                            Attachment.ticket_id == ticket.id))
    if attachment is None or not permissions.can_download(g.api_user, attachment):
        raise not_visible()
    path = attachments.path_of(attachment)
    if not path.is_file():
        raise not_visible()
    commit(lambda: attachments.note_download(g.api_user, ticket, attachment))
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
