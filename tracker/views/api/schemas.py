"""The API's schemas (marshmallow): the one source that validates input, shapes output and writes the OpenAPI
document. Request schemas subclass `InputSchema`; a ticket's JSON is `TicketSchema`, filled by
`ticket_document` with only what the caller may see."""
from __future__ import annotations

import datetime as dt

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from ... import measures, permissions, queries, workflow
from ...enums import MessageKind, Outcome, RequestedUrgency, SlaState, Status, Urgency
from ...extensions import db
from ...models import Ticket

STATUSES = [s.value for s in Status]
URGENCIES = [u.value for u in Urgency]
SLA_STATES = [s.value for s in SlaState]
OUTCOMES = [o.value for o in Outcome]


# Errors -----------------------------------------------------------------------------------------------

class ErrorSchema(ma.Schema):
    """Every refusal: `error` says what went wrong; a 422 says it beside each field in `errors`."""

    error = fields.String(required=True, metadata={"description": "what went wrong, in the caller's language"})
    errors = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "422: each field's message, in the caller's language"})


# marshmallow's own messages, said in the caller's language (validators of ours are translated already)
_MESSAGES = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field is required."),
    "Not a valid string.": _l("Must be text."),
    "Not a valid integer.": _l("Must be a whole number."),
    "Not a valid number.": _l("Must be a whole number."),
    "Not a valid boolean.": _l("Must be true or false."),
    "Not a valid date.": _l("Write the date as yyyy-mm-dd."),
    "Not a valid datetime.": _l("Write the date and time as yyyy-mm-ddThh:mm:ss+07:00."),
    "Not a valid list.": _l("Send a list."),
    "Not a valid mapping type.": _l("Send a JSON object."),
    "Invalid input type.": _l("Send a JSON object."),
    "Unknown field.": _l("Unknown field."),
    "Invalid value.": _l("This value is not valid."),
}


def _first_message(value) -> str:
    while isinstance(value, dict | list | tuple) and value:
        value = next(iter(value.values())) if isinstance(value, dict) else value[0]
    text = str(value) if value else ""
    return str(_MESSAGES.get(text, text))


def flatten_errors(messages) -> dict[str, str]:
    """webargs' {location: {field: [messages]}} (or marshmallow's {field: [messages]}) as {field: message},
    the first message of each field, in the caller's language; the body as a whole is `body`."""
    if isinstance(messages, dict) and messages.keys() <= {"json", "query", "querystring", "headers", "form",
                                                           "files", "view_args", "path", "json_or_form"}:
        flat = {}
        for by_field in messages.values():
            flat.update(flatten_errors(by_field))
        return flat
    if not isinstance(messages, dict):
        return {"body": _first_message(messages)}
    return {("body" if name == "_schema" else str(name)): _first_message(value) for name, value in messages.items()}


# Input ------------------------------------------------------------------------------------------------

class InputSchema(ma.Schema):
    """A request body or query string: unknown fields are ignored; messages in the caller's language."""

    class Meta:
        unknown = ma.EXCLUDE


def text(max_length: int, *, required: bool = False, **kwargs) -> fields.String:
    """A text field of at most `max_length` characters (a longer one is a 422 saying so)."""
    return fields.String(required=required, validate=validate.Length(
        max=max_length, error=_l("Too long: at most {max} characters.")), **kwargs)


def whole(low: int, high: int) -> validate.Range:
    return validate.Range(min=low, max=high, error=_l("Must be a whole number from {min} to {max}."))


def in_our_times(value: dt.datetime) -> None:
    """Dates outside 2000-2100 are mistakes (and past the databases' ranges at the edges)."""
    if not 2000 <= value.year <= 2100:
        raise ma.ValidationError(str(_l("Choose a date between 2000 and 2100.")))


def one_of(choices, *, required: bool = False, **kwargs) -> fields.String:
    return fields.String(required=required, validate=validate.OneOf(
        list(choices), error=_l("Choose one of: {choices}.")), **kwargs)


class NewTicketSchema(InputSchema):
    """An obstacle filed through the API (commune officers; province coordinators name the locality)."""

    category = fields.String(required=True, metadata={"description": "category code", "example": "bien_che"})
    title = fields.String(required=True, metadata={"description": "at most 300 characters"})
    description = fields.String(required=True)
    legal_basis = fields.String(load_default="")
    urgency = fields.String(load_default=RequestedUrgency.NORMAL.value,
                            metadata={"description": "requested urgency", "enum": [u.value for u in RequestedUrgency]})
    locality = fields.String(load_default="", metadata={
        "description": "province coordinators: the GSO code of the province or one of its communes"})


# Output -----------------------------------------------------------------------------------------------

def when(**kwargs):
    return fields.DateTime(allow_none=True, **kwargs)


class PersonSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class AttachmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "the file's original name"})
    content_type = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "bytes"})
    created_at = fields.DateTime(required=True)
    message_id = fields.Integer(allow_none=True, required=True,
                                metadata={"description": "the message it came with; null: filed with the obstacle"})
    download_url = fields.String(required=True, metadata={"example": "/api/v1/tickets/PUN-2026-000123/attachments/7"})


class MessageSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in MessageKind]),
                         metadata={"description": "reply (the locality sees it), note (the team only), answer"})
    author = fields.String(required=True)
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    attachments = fields.List(fields.Nested(AttachmentSchema), required=True)


class DeadlineSchema(ma.Schema):
    state = fields.String(required=True, validate=validate.OneOf(SLA_STATES))
    due_at = when(required=True)
    done_at = when(required=True, metadata={"description": "when it was met: first response or answer"})


class SlaSchema(ma.Schema):
    first_response = fields.Nested(DeadlineSchema, required=True)
    answer = fields.Nested(DeadlineSchema, required=True)
    explicit_due_at = when(required=True, metadata={"description": "a deadline triage set by hand"})
    paused = fields.Boolean(required=True, metadata={"description": "waiting for the locality: the clock stops"})


class ReplyDocumentSchema(ma.Schema):
    number = fields.String(allow_none=True, required=True)
    date = fields.Date(allow_none=True, required=True)


class TicketSummarySchema(ma.Schema):
    """An obstacle in a list."""

    reference = fields.String(required=True, metadata={"example": "PUN-2026-000123"})
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES))
    category = fields.String(required=True, metadata={"description": "category code"})
    locality = fields.String(required=True, metadata={"description": "GSO code, zero-padded"})
    province = fields.String(required=True, metadata={"description": "GSO code of the locality's province"})
    lead_unit = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    answer_due_at = when(required=True)
    sla_state = fields.String(required=True, validate=validate.OneOf(SLA_STATES))
    outcome = fields.String(allow_none=True, required=True, validate=validate.OneOf(OUTCOMES))
    systemic_issue = fields.String(allow_none=True, required=True, metadata={"example": "VDC-2026-0001"})
    version = fields.Integer(required=True, metadata={"description": "changes with every change of the obstacle"})


class TicketSchema(TicketSummarySchema):
    """One obstacle with what the caller may see of it: its answer (outcome, reply document), deadlines,
    links, files and messages."""

    description = fields.String(required=True)
    legal_basis = fields.String(required=True)
    requested_urgency = fields.String(required=True)
    channel = fields.String(required=True)
    first_response_due_at = when(required=True)
    first_responded_at = when(required=True)
    answered_at = when(required=True)
    closed_at = when(required=True)
    assignee = fields.Nested(PersonSchema, allow_none=True, required=True)
    coordinating_units = fields.List(fields.String(), required=True)
    sla = fields.Nested(SlaSchema, required=True)
    reply_document = fields.Nested(ReplyDocumentSchema, allow_none=True, required=True,
                                   metadata={"description": "the ministry's reply document, once answered"})
    rating = fields.Integer(allow_none=True, required=True)
    rating_comment = fields.String(allow_none=True, required=True)
    duplicate_of = fields.String(allow_none=True, required=True, metadata={"description": "merged into"})
    duplicates = fields.List(fields.String(), required=True, metadata={"description": "merged into this one"})
    links = fields.List(fields.String(), required=True, metadata={"description": "related obstacles"})
    transferred_to = fields.String(allow_none=True, required=True)
    attachments = fields.List(fields.Nested(AttachmentSchema), required=True,
                              metadata={"description": "every file the caller may download"})
    messages = fields.List(fields.Nested(MessageSchema), required=True)


def ticket_summary(ticket) -> dict:
    return {
        "reference": ticket.reference, "title": ticket.title, "status": ticket.status, "urgency": ticket.urgency,
        "category": ticket.category.code, "locality": ticket.locality.code, "province": ticket.province.code,
        "lead_unit": ticket.lead_unit.code if ticket.lead_unit else None,
        "created_at": ticket.created_at, "updated_at": ticket.updated_at or ticket.created_at,
        "answer_due_at": ticket.answer_due_at, "sla_state": ticket.sla_state, "outcome": ticket.outcome,
        "systemic_issue": ticket.systemic_issue.code if ticket.systemic_issue else None, "version": ticket.version,
    }


def attachment_document(ticket, attachment) -> dict:
    return {"id": attachment.id, "name": attachment.original_name, "content_type": attachment.content_type,
            "size": attachment.size, "created_at": attachment.created_at, "message_id": attachment.message_id,
            "download_url": f"/api/v1/tickets/{ticket.reference}/attachments/{attachment.id}"}


def ticket_document(user, ticket) -> dict:
    """Everything `TicketSchema` shows of `ticket` to `user` (the ticket is visible: the loader checked)."""
    messages = queries.ticket_messages(user, ticket)
    files = [a for a in queries.ticket_attachments(ticket) if permissions.can_download(user, a)]
    duplicate_of = None
    if ticket.duplicate_of_id is not None:
        duplicate_of = db.session.scalar(permissions.visible_tickets(user).with_only_columns(Ticket.reference)
                                         .where(Ticket.id == ticket.duplicate_of_id))
    answered = ticket.answered_at is not None or ticket.reply_doc_number or ticket.reply_doc_date
    return {
        **ticket_summary(ticket),
        "description": ticket.description, "legal_basis": ticket.legal_basis,
        "requested_urgency": ticket.requested_urgency, "channel": ticket.channel,
        "first_response_due_at": ticket.first_response_due_at, "first_responded_at": ticket.first_responded_at,
        "answered_at": ticket.answered_at, "closed_at": ticket.closed_at,
        "assignee": {"id": ticket.assignee.id, "name": str(ticket.assignee)} if ticket.assignee else None,
        "coordinating_units": sorted(u.code for u in ticket.coordinating_units),
        "sla": {
            "first_response": {"state": ticket.first_response_state, "due_at": ticket.first_response_due_at,
                               "done_at": ticket.first_responded_at},
            "answer": {"state": ticket.sla_state, "due_at": ticket.answer_due_at, "done_at": ticket.answered_at},
            "explicit_due_at": ticket.explicit_due_at, "paused": ticket.paused_at is not None,
        },
        "reply_document": {"number": ticket.reply_doc_number, "date": ticket.reply_doc_date} if answered else None,
        "rating": ticket.rating, "rating_comment": ticket.rating_comment,
        "duplicate_of": duplicate_of,
        "duplicates": [t.reference for t in workflow.duplicates_of(user, ticket)],
        "links": [t.reference for t in workflow.linked_tickets(user, ticket)],
        "transferred_to": ticket.transferred_to,
        "attachments": [attachment_document(ticket, a) for a in files],
        "messages": [{"id": m.id, "kind": m.kind, "author": str(m.author), "body": m.body,
                      "created_at": m.created_at,
                      "attachments": [attachment_document(ticket, a) for a in m.attachments]} for m in messages],
    }



def choice(values, description: str = "") -> fields.String:
    """A filter naming one of `values` (empty: no filter); anything else is a 422, not a silently ignored filter."""
    allowed = [str(v) for v in values]

    def check(value):
        if value.strip() and value.strip() not in allowed:
            raise ma.ValidationError(str(_l("Choose one of: {choices}.")).format(choices=", ".join(allowed)))

    return fields.String(validate=check, metadata={"enum": allowed, **({"description": description} if description
                                                                       else {})})


def day(description: str) -> fields.String:
    def check(value):
        if value.strip() and queries.parse_date(value.strip()) is None:
            raise ma.ValidationError(str(_l("Write the date as dd/mm/yyyy or yyyy-mm-dd.")))

    return fields.String(validate=check, metadata={"description": f"{description} (dd/mm/yyyy or yyyy-mm-dd)"})


def code(max_length: int, description: str) -> fields.String:
    return text(max_length, metadata={"description": description})


def assignee(value: str) -> None:
    value = value.strip()
    if value and value not in ("me", "none") and not (value.isdigit() and len(value) < 10):
        raise ma.ValidationError(str(_l("Give a user id, me or none.")))


class TicketQuerySchema(InputSchema):
    """The list's query string: the queues' filters (the same names and values as /tickets), then people's
    page numbers or machines' cursor pages."""

    status = choice([*STATUSES, *queries.STATUS_GROUPS], "a status, or `open` (awaiting an answer)")
    q = text(200, metadata={"description": "words, accents optional"})
    urgency = choice(URGENCIES)
    category = code(40, "category code")
    province = code(5, "GSO code of a province")
    commune = code(5, "GSO code of a commune")
    unit = code(40, "lead unit code")
    assignee = fields.String(validate=assignee, metadata={"description": "a user id, `me` or `none`"})
    sla_state = choice(SLA_STATES, "the answer deadline's state")
    first_response_state = choice(SLA_STATES, "the first response deadline's state")
    filed_from = day("filed on or after")
    filed_to = day("filed on or before")
    answered_from = day("answered on or after")
    answered_to = day("answered on or before")
    answered = choice(queries.TIMING, "answered on time or late")
    responded_from = day("first response on or after")
    responded_to = day("first response on or before")
    responded = choice(queries.TIMING, "first response on time or late")
    due = choice(["this_week"], "waiting, with the answer deadline before the end of this week")
    missed_from = day("answer deadline missed on or after")
    missed_to = day("answer deadline missed on or before")
    outcome = choice(OUTCOMES)
    lacking = choice([*measures.LACKING, "any"], "open obstacles lacking an owner, a deadline or an outcome")
    rated = choice(["yes"], "rated by the locality")
    document = code(120, "the cited legal document, or `none`")
    sort = choice(queries.SORTS, "page numbers only (cursor pages have `order`)")
    page = fields.Integer(validate=whole(1, 2**31 - 1),
                          metadata={"description": "a page number, with a total (people); machines use cursors"})
    limit = fields.Integer(validate=whole(1, 100), metadata={
        "description": "cursor pages: how many obstacles (at most 100); sending it asks for cursor pages"})
    cursor = fields.String(validate=validate.Length(max=200), metadata={
        "description": "the `next_cursor` of the previous page, with the same filters"})
    updated_since = fields.AwareDateTime(default_timezone=dt.UTC, validate=in_our_times, metadata={
        "description": "only obstacles changed at or after this moment (ISO 8601); cursor pages in `updated` order"})
    order = fields.String(validate=validate.OneOf(["newest", "updated"], error=_l("Choose one of: {choices}.")),
                          metadata={"description": "cursor pages: `newest` first (default) or by last change, "
                                                   "oldest first (`updated`, the default with `updated_since`)"})


class PlainDict(fields.Dict):
    """A mapping written as it is (string keys, JSON values, documented as for Dict): the stats document holds
    some 2,000 keys, and having marshmallow serialise each one was a fifth of the request."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else dict(value)


class Summaries(fields.List):
    """A list of ticket_summary dicts written as TicketSummarySchema writes them (and documented by it): their
    values are plain already, only the moments become ISO 8601 text. Dumping each field through marshmallow was
    a fifth of an API list (tests/test_api_lists.py compares both)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return [{key: item.isoformat() if isinstance(item, dt.datetime) else item for key, item in summary.items()}
                for summary in value]


class TicketPageSchema(ma.Schema):
    """People's pages (`page`, `pages`, `total`) or machines' keyset pages (`next_cursor`)."""

    items = Summaries(fields.Nested(TicketSummarySchema), required=True)
    page = fields.Integer(allow_none=True, required=True)
    pages = fields.Integer(allow_none=True, required=True)
    total = fields.Integer(allow_none=True, required=True, metadata={"description": "page numbers only"})
    next_cursor = fields.String(allow_none=True, required=True,
                                metadata={"description": "cursor pages: the next page's cursor; null: the end"})
