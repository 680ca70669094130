"""Systemic issues in the JSON API (DESIGN.md stable names): create, link one more obstacle, answer, read.

Registered on the api blueprint (bearer tokens, 404 for what the caller may not see); refusals answer 422
with the reason beside its field, in the caller's language.
"""
import datetime as dt

from flask import abort, g, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from ... import permissions, systemic, systemic_queries
from ...extensions import db
from ...models import Ticket
from ..actions import attempt
from .routes import _unprocessable, bp
from .spec import SCHEMAS, operation, path_param

ISSUE_SCHEMA = {"type": "object", "properties": {
    "code": {"type": "string", "example": "VDC-2026-0001"}, "title": {"type": "string"},
    "status": {"type": "string", "enum": ["open", "answered"]},
    "reporter_count": {"type": "integer", "description": "how many localities asked"},
    "ticket_count": {"type": "integer"}, "lead_unit": {"type": "string", "nullable": True},
    "due_on": {"type": "string", "format": "date", "nullable": True},
    "answer": {"type": "object", "nullable": True},
    "tickets": {"type": "array", "items": {"type": "string"},
                "description": "the linked obstacles the caller may see"}}}
SCHEMAS.update({
    "SystemicIssue": ISSUE_SCHEMA,
    "SystemicIssuePage": {"type": "object", "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/SystemicIssue"}},
        "page": {"type": "integer"}, "pages": {"type": "integer"}, "total": {"type": "integer"}}},
    "NewSystemicIssue": {"type": "object", "required": ["title", "tickets"], "properties": {
        "title": {"type": "string", "maxLength": 300},
        "tickets": {"type": "array", "items": {"type": "string", "example": "PUN-2026-000123"}}}},
    "LinkTicket": {"type": "object", "required": ["reference"], "properties": {"reference": {"type": "string"}}},
    "SystemicAnswer": {"type": "object", "required": ["body", "outcome"], "properties": {
        "body": {"type": "string", "maxLength": 20000},
        "outcome": {"type": "string", "enum": ["answered", "local_competence", "forwarded", "needs_legal_change"]},
        "reply_doc_number": {"type": "string", "maxLength": 100},
        "reply_doc_date": {"type": "string", "format": "date"}}},
})
ERRORS = {401: "Error", 404: "Error", 422: "Error: field errors in the caller's language"}


def issue_json(issue, user) -> dict:
    references = db.session.scalars(permissions.visible_tickets(user).with_only_columns(Ticket.reference)
                                    .where(Ticket.systemic_issue_id == issue.id).order_by(Ticket.id)).all()
    answer = None
    if issue.is_answered:
        answer = {"body": issue.answer, "outcome": issue.outcome, "reply_doc_number": issue.reply_doc_number,
                  "reply_doc_date": issue.reply_doc_date.isoformat() if issue.reply_doc_date else None,
                  "answered_at": issue.answered_at.isoformat()}
    return {"code": issue.code, "title": issue.title, "status": issue.status, "reporter_count": issue.reporter_count,
            "ticket_count": issue.ticket_count, "lead_unit": issue.lead_unit.code if issue.lead_unit else None,
            "due_on": issue.due_on.isoformat() if issue.due_on else None, "answer": answer, "tickets": references}


def _body(*text_fields: str) -> tuple[dict | None, object]:
    """The JSON object sent, or a 422 response: not an object, or a text field that is not text."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None, _unprocessable({"body": _("Send a JSON object.")})
    wrong = [name for name in text_fields if not isinstance(data.get(name, ""), str)]
    if wrong:
        return None, _unprocessable({name: _("Must be text.") for name in wrong})
    return data, None


def _refused(result):
    with force_locale(g.api_user.locale or "vi"):
        return _unprocessable({result.error.field or "body": str(result.error.message)})


def _tickets(references: list[str]) -> list[Ticket | None]:
    wanted = [r.strip().upper()[:20] for r in references]
    found = {t.reference: t for t in db.session.scalars(
        permissions.visible_tickets(g.api_user).where(Ticket.reference.in_(wanted)).with_for_update())}
    return [found.get(r) for r in wanted]


@bp.post("/systemic-issues")
@operation("POST", "/systemic-issues", "Create a systemic issue from obstacles (triage)",
           {201: "SystemicIssue", **ERRORS}, request="NewSystemicIssue")
def create_issue():
    if not permissions.can_manage_issues(g.api_user):
        abort(404)
    data, refusal = _body("title")
    if refusal:
        return refusal
    tickets = data.get("tickets", [])
    if not isinstance(tickets, list) or not all(isinstance(r, str) for r in tickets):
        return _unprocessable({"tickets": _("Send a list of obstacle references.")})
    result = attempt(lambda: systemic.create_issue(g.api_user, title=data.get("title", ""),
                                                   tickets=_tickets(tickets)[:systemic.LINK_MAX + 1]))
    if not result.ok:
        return _refused(result)
    return jsonify(issue_json(result.value, g.api_user)), 201


def _issue(code: str, for_update: bool = False):
    return permissions.get_visible_issue(g.api_user, code, for_update=for_update)


@bp.get("/systemic-issues/<code>")
@operation("GET", "/systemic-issues/{code}", "One systemic issue: its answer, how many localities asked",
           {200: "SystemicIssue", 401: "Error", 404: "Error"}, parameters=[path_param("code")])
def get_issue(code: str):
    return jsonify(issue_json(_issue(code), g.api_user))


@bp.post("/systemic-issues/<code>/tickets")
@operation("POST", "/systemic-issues/{code}/tickets", "Link one more obstacle (answered at once if the issue is)",
           {200: "SystemicIssue", **ERRORS}, parameters=[path_param("code")], request="LinkTicket")
def link_ticket(code: str):
    if not permissions.can_manage_issues(g.api_user):
        abort(404)
    issue = _issue(code, for_update=True)
    data, refusal = _body("reference")
    if refusal:
        return refusal
    result = attempt(lambda: systemic.link_ticket(g.api_user, issue, _tickets([data.get("reference", "")])[0]))
    if not result.ok:
        return _refused(result)
    return jsonify(issue_json(issue, g.api_user))


@bp.post("/systemic-issues/<code>/answer")
@operation("POST", "/systemic-issues/{code}/answer", "Answer every linked obstacle at once",
           {200: "SystemicIssue", **ERRORS}, parameters=[path_param("code")], request="SystemicAnswer")
def answer_issue(code: str):
    issue = _issue(code, for_update=True)
    data, refusal = _body("body", "outcome", "reply_doc_number", "reply_doc_date")
    if refusal:
        return refusal
    try:
        doc_date = dt.date.fromisoformat(data["reply_doc_date"]) if data.get("reply_doc_date") else None
    except ValueError:
        return _unprocessable({"reply_doc_date": _("Write the date as yyyy-mm-dd.")})
    result = attempt(lambda: systemic.answer_issue(
        g.api_user, issue, version=issue.version, body=data.get("body", ""), outcome=data.get("outcome", ""),
        reply_doc_number=data.get("reply_doc_number", ""), reply_doc_date=doc_date))
    if not result.ok:
        return _refused(result)
    return jsonify({**issue_json(issue, g.api_user), "answered": result.value})


@bp.get("/systemic-issues")
@operation("GET", "/systemic-issues", "The systemic issues the caller may see, newest first",
           {200: "SystemicIssuePage", 401: "Error"})
def list_issues():
    page = systemic_queries.issue_list(g.api_user, request.args.get("status"), request.args.get("page", 1, type=int))
    return jsonify(items=[{"code": i.code, "title": i.title, "status": i.status, "reporter_count": i.reporter_count,
                           "ticket_count": i.ticket_count} for i in page.items],
                   page=page.page, pages=page.pages, total=page.total)

