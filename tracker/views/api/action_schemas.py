"""What each action endpoint accepts: marshmallow schemas that validate the request, and describe it in the
generated OpenAPI document.

The schemas check shapes (types, lengths, choices) with the domain's own messages, kept lazy so they are
worded in the caller's language; the rules themselves (who may, when, what a value must name) stay in the
domain functions the web calls too. `version` is the ticket's version as the client read it (optimistic
locking, like the web forms' hidden field); a client may send `If-Match` instead, or neither (last write wins).
"""
from __future__ import annotations

from typing import ClassVar

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from ...bulk import ACTIONS, BULK_MAX
from ...enums import Outcome, Urgency
from ...tickets import TEXT_MAX
from ...workflow import AGENCY_MAX, COMMENT_MAX, DOC_NUMBER_MAX
from .schemas import InputSchema, NewTicketSchema, TicketSummarySchema

REFERENCE_MAX = 30
CODE_MAX = 50
COORDINATING_MAX = 20
MUST_BE_TEXT = _l("Must be text.")
MUST_BE_NUMBER = _l("Must be a whole number.")
MUST_BE_BOOLEAN = _l("Must be true or false.")
MUST_BE_DATE = _l("Write the date as yyyy-mm-dd.")
MUST_BE_LIST = _l("Send a list.")
REQUIRED = _l("This field is required.")


class _Lazy:
    """Raise the message as given (a lazy translation), not formatted at once in whatever locale is current."""

    def _format_error(self, value, message=None):
        return [self.error]  # a list: marshmallow would split a lazy string into characters


def _messages(invalid, required=REQUIRED) -> dict:
    """Field error messages as one-item lists of lazy strings (kept whole and untranslated until shown)."""
    return {"invalid": [invalid], "null": [invalid], "required": [required]}


class MaxLength(_Lazy, validate.Length):
    pass


class Filled(_Lazy, validate.Length):
    """Not empty (a reference to look up): said as the web form says it."""

    def __init__(self, error):
        super().__init__(min=1, error=error)


class Choice(_Lazy, validate.OneOf):
    pass


class Between(_Lazy, validate.Range):
    pass


def _too_long(label, max_length: int):
    return _l("%(field)s is too long (at most %(max)d characters).", field=label, max=max_length)


def text(label, max_length: int, *, required: bool = False, **kwargs) -> fields.String:
    """A text field: the domain refuses an empty one ("... is required"), as it does for the web forms."""
    messages = _messages(MUST_BE_TEXT, _l("%(field)s is required.", field=label))
    return fields.String(required=required, validate=MaxLength(max=max_length, error=_too_long(label, max_length)),
                         error_messages=messages, **kwargs)


def code(label, *, allow_none: bool = False, **kwargs) -> fields.String:
    """A code naming a row (category, unit); one that names nothing is refused by the action."""
    messages = _messages(MUST_BE_TEXT)
    return fields.String(allow_none=allow_none, error_messages=messages,
                         validate=MaxLength(max=CODE_MAX, error=_too_long(label, CODE_MAX)), **kwargs)


def reference(label, **kwargs) -> fields.String:
    messages = _messages(MUST_BE_TEXT, REQUIRED)
    return fields.String(error_messages=messages, metadata={"example": "PUN-2026-000123"},
                         validate=[Filled(REQUIRED),
                                   MaxLength(max=REFERENCE_MAX, error=_too_long(label, REFERENCE_MAX))], **kwargs)


def integer(message=None, strict: bool = True, **kwargs) -> fields.Integer:
    messages = _messages(message or MUST_BE_NUMBER, message or REQUIRED)
    return fields.Integer(strict=strict, error_messages=messages, **kwargs)


def date(**kwargs) -> fields.Date:
    messages = _messages(MUST_BE_DATE)
    return fields.Date(error_messages=messages, **kwargs)


def choice(values, message, **kwargs) -> fields.String:
    messages = _messages(MUST_BE_TEXT, message)
    return fields.String(validate=Choice(list(values), error=message), error_messages=messages, **kwargs)


def version_field() -> fields.Integer:
    return integer(strict=False, validate=Between(min=1, max=2**31 - 1, error=_l("Not a version of this obstacle.")),
                   metadata={"description": "the ticket's version as read (optimistic locking); or send If-Match"})


class ActionSchema(InputSchema):
    """An action's body (unknown fields are ignored, as everywhere in the API)."""

    error_messages: ClassVar[dict] = {"unknown": _l("Unknown field."), "type": _l("Send a JSON object.")}


class VersionedSchema(ActionSchema):
    version = version_field()


class TriageSchema(VersionedSchema):
    """Triage one obstacle. A field left out keeps its value; `null` clears lead unit, assignee or deadline."""

    category = code(_l("Category"), metadata={"description": "category code"})
    urgency = choice([u.value for u in Urgency], _l("Choose an urgency from the list."))
    lead_unit = code(_l("Lead unit"), allow_none=True, metadata={"description": "unit code; null: triage queue"})
    assignee = integer(allow_none=True, metadata={"description": "user id of a specialist of the lead unit"})
    coordinating_units = fields.List(
        code(_l("Coordinating units")), error_messages=_messages(MUST_BE_LIST),
        validate=MaxLength(max=COORDINATING_MAX, error=_l("At most %(max)d units.", max=COORDINATING_MAX)),
        metadata={"description": "unit codes; replaces the current ones"})
    due_date = date(allow_none=True, metadata={"description": "a deadline named by a directive; null clears it"})


class StartSchema(VersionedSchema):
    pass


class ConfirmSchema(VersionedSchema):
    pass


class AskSchema(VersionedSchema):
    body = text(_l("Question to the locality"), TEXT_MAX, required=True)


class ReplySchema(VersionedSchema):
    """A reply the locality sees (from the locality: back to the team; when asked, the clock resumes)."""

    body = text(_l("Message"), TEXT_MAX, required=True)


class PostMessageSchema(ReplySchema):
    internal = fields.Boolean(load_default=False, error_messages=_messages(MUST_BE_BOOLEAN),
                              metadata={"description": "an internal note the locality never sees (the team only)"})


class AnswerSchema(VersionedSchema):
    body = text(_l("Answer"), TEXT_MAX, required=True)
    outcome = choice([o.value for o in Outcome], _l("Choose an outcome from the list."), required=True)
    reply_doc_number = text(_l("Reply document number"), DOC_NUMBER_MAX, load_default="",
                            metadata={"example": "1234/BNV-CQĐP"})
    reply_doc_date = date(allow_none=True, load_default=None)


class ReopenSchema(VersionedSchema):
    reason = text(_l("Reason"), TEXT_MAX, required=True)


RATING = _l("Choose a rating from 1 to 5.")


class RatingSchema(VersionedSchema):
    score = integer(RATING, required=True, validate=Between(min=1, max=5, error=RATING))
    comment = text(_l("Comment"), COMMENT_MAX, load_default="")


class MergeSchema(VersionedSchema):
    main = reference(_l("Reference of the main obstacle"), required=True)


class LinkSchema(ActionSchema):
    other = reference(_l("Reference of the related obstacle"), required=True)


class TransferSchema(VersionedSchema):
    agency = text(_l("Competent agency"), AGENCY_MAX, required=True)
    note = text(_l("Note to the locality"), TEXT_MAX, required=True)


class BulkTriageSchema(ActionSchema):
    """Assign several new obstacles to a unit (and optionally a specialist), or set their urgency."""

    action = choice(ACTIONS, _l("Choose an action from the list."), required=True)
    tickets = fields.List(
        reference(_l("Obstacles")), required=True,
        error_messages=_messages(MUST_BE_LIST, _l("Select at least one obstacle.")),
        validate=MaxLength(min=1, max=BULK_MAX, error=_l("Select between 1 and %(max)d obstacles.", max=BULK_MAX)))
    versions = fields.Dict(keys=fields.String(validate=MaxLength(max=REFERENCE_MAX, error=MUST_BE_TEXT)),
                           values=integer(),
                           error_messages=_messages(_l("Send an object of reference: version.")),
                           metadata={"description": "reference -> version as read; left out: no version check"})
    unit = code(_l("Lead unit"), allow_none=True, metadata={"description": "unit code (assign)"})
    assignee = integer(allow_none=True, metadata={"description": "user id of a specialist of the unit (assign)"})
    urgency = choice([u.value for u in Urgency], _l("Choose an urgency from the list."), allow_none=True)


def files_field() -> fields.List:
    return fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}),
                       metadata={"description": "PDF, Word, Excel, OpenDocument, JPEG or PNG, checked by content"})


def with_files(schema: type[Schema]) -> type[Schema]:
    """The same fields sent as multipart/form-data, with files in `attachments` (documented; the files
    themselves are read from the request, not through the schema)."""
    name = schema.__name__.removesuffix("Schema") + "UploadSchema"
    return type(name, (schema,), {"attachments": files_field(), "__doc__": schema.__doc__})


NewTicketUploadSchema = with_files(NewTicketSchema)
AskUploadSchema = with_files(AskSchema)
ReplyUploadSchema = with_files(ReplySchema)
PostMessageUploadSchema = with_files(PostMessageSchema)
AnswerUploadSchema = with_files(AnswerSchema)


class BulkResultSchema(Schema):
    """What a bulk triage changed."""

    updated = fields.Integer(required=True, metadata={"description": "how many obstacles changed"})
    items = fields.List(fields.Nested(TicketSummarySchema), required=True)
