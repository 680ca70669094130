"""GET /api/v1/notifications: the caller's own notifications, newest first (the same list as the bell's page)."""
from flask import current_app, g, jsonify, request

from ...alerts.inbox import notifications_page, unread_count
from ...enums import Deadline
from .routes import bp
from .serialise import _iso
from .spec import SCHEMAS, operation, query_param

DEADLINES = {Deadline.FIRST_RESPONSE.value: "first_response", Deadline.ANSWER.value: "answer"}

SCHEMAS.setdefault("Notification", {"type": "object", "properties": {
    "id": {"type": "integer"},
    "kind": {"type": "string", "enum": ["assigned", "locality_reply", "answered", "at_risk", "breached", "reply",
                                        "closed"]},
    "deadline": {"type": "string", "enum": ["first_response", "answer"], "nullable": True},
    "ticket": {"type": "string", "nullable": True, "example": "PUN-2026-000123"},
    "title": {"type": "string", "nullable": True},
    "created_at": {"type": "string", "format": "date-time"},
    "read_at": {"type": "string", "format": "date-time", "nullable": True}}})
SCHEMAS.setdefault("NotificationPage", {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Notification"}},
    "page": {"type": "integer"}, "pages": {"type": "integer"}, "total": {"type": "integer"},
    "unread": {"type": "integer", "description": "unread notifications, counted up to 100"}}})


@bp.get("/notifications")
@operation("GET", "/notifications", "The caller's notifications, newest first", {200: "NotificationPage", 401: "Error"},
           parameters=[query_param("unread", {"type": "integer", "enum": [0, 1]}, "1: only the unread ones"),
                       query_param("page", {"type": "integer", "minimum": 1})])
def list_notifications():
    user = g.api_user
    page = notifications_page(user, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"],
                              unread_only=request.args.get("unread") == "1")
    return jsonify(items=[_notification(n) for n in page.items], page=page.page, pages=page.pages,
                   total=page.total, unread=unread_count(user))


def _notification(note) -> dict:
    ticket = note.ticket
    return {"id": note.id, "kind": note.kind, "deadline": DEADLINES.get(note.deadline),
            "ticket": ticket.reference if ticket else None, "title": ticket.title if ticket else None,
            "created_at": _iso(note.created_at), "read_at": _iso(note.read_at)}
