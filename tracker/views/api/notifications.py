"""GET /api/v1/notifications: the caller's own notifications, newest first (the same list as the bell's page)."""
import marshmallow as ma
from flask import current_app, g
from marshmallow import fields, validate

from ...alerts.inbox import notifications_page, unread_count
from ...enums import Deadline
from .base import bp
from .schemas import InputSchema

DEADLINES = {Deadline.FIRST_RESPONSE.value: "first_response", Deadline.ANSWER.value: "answer"}


class NotificationSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "assigned, locality_reply, answered, at_risk, "
                                                                 "breached, reply, closed..."})
    deadline = fields.String(allow_none=True, required=True, validate=validate.OneOf(["first_response", "answer"]))
    ticket = fields.String(allow_none=True, required=True, metadata={"example": "PUN-2026-000123"})
    title = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True, required=True)


class NotificationPageSchema(ma.Schema):
    items = fields.List(fields.Nested(NotificationSchema), required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    total = fields.Integer(required=True)
    unread = fields.Integer(required=True, metadata={"description": "unread notifications, counted up to 100"})


class NotificationQuerySchema(InputSchema):
    unread = fields.Integer(validate=validate.OneOf([0, 1]), metadata={"description": "1: only the unread ones"})
    page = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


@bp.get("/notifications")
@bp.arguments(NotificationQuerySchema(), location="query", as_kwargs=True)
@bp.response(200, NotificationPageSchema)
def list_notifications(unread=0, page=1):
    """The caller's notifications, newest first."""
    user = g.api_user
    listing = notifications_page(user, page, current_app.config["PAGE_SIZE"], unread_only=unread == 1)
    return {"items": [_notification(n) for n in listing.items], "page": listing.page, "pages": listing.pages,
            "total": listing.total, "unread": unread_count(user)}


def _notification(note) -> dict:
    ticket = note.ticket
    return {"id": note.id, "kind": note.kind, "deadline": DEADLINES.get(note.deadline),
            "ticket": ticket.reference if ticket else None, "title": ticket.title if ticket else None,
            "created_at": note.created_at, "read_at": note.read_at}
