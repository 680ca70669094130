"""Systemic issues in the JSON API (DESIGN.md stable names): create, link one more obstacle, answer, read.

Registered on the api blueprint (bearer tokens, 404 for what the caller may not see); refusals answer 422
with the reason beside its field, in the caller's language.
"""
import marshmallow as ma
from flask import g
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from ... import permissions, systemic, systemic_queries
from ...extensions import db
from ...models import Ticket
from .base import bp, commit, not_visible
from .schemas import OUTCOMES, ErrorSchema, InputSchema


class StringList(fields.List):
    """A list of texts; anything else is one clear message (not one per item)."""

    def __init__(self, message, **kwargs):
        super().__init__(fields.String(), **kwargs)
        self.message = message

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ma.ValidationError(str(self.message))
        return list(value)


class IssueAnswerSchema(ma.Schema):
    body = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    reply_doc_number = fields.String(allow_none=True)
    reply_doc_date = fields.String(allow_none=True, metadata={"format": "date"})
    answered_at = fields.String(required=True, metadata={"format": "date-time"})


class SystemicIssueSchema(ma.Schema):
    code = fields.String(required=True, metadata={"example": "VDC-2026-0001"})
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "answered"]))
    reporter_count = fields.Integer(required=True, metadata={"description": "how many localities asked"})
    ticket_count = fields.Integer(required=True)
    lead_unit = fields.String(allow_none=True, required=True)
    due_on = fields.String(allow_none=True, required=True, metadata={"format": "date"})
    answer = fields.Nested(IssueAnswerSchema, allow_none=True, required=True)
    tickets = fields.List(fields.String(), required=True,
                          metadata={"description": "the linked obstacles the caller may see"})
    answered = fields.Integer(metadata={"description": "after an answer: how many obstacles it answered"})


class IssueSummarySchema(ma.Schema):
    code = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "answered"]))
    reporter_count = fields.Integer(required=True)
    ticket_count = fields.Integer(required=True)


class IssuePageSchema(ma.Schema):
    items = fields.List(fields.Nested(IssueSummarySchema), required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    total = fields.Integer(required=True)


class NewIssueSchema(InputSchema):
    title = fields.String(required=True, metadata={"description": "at most 300 characters"})
    tickets = StringList(_l("Send a list of obstacle references."), required=True,
                         metadata={"description": "obstacle references, e.g. PUN-2026-000123"})


class LinkTicketSchema(InputSchema):
    reference = fields.String(required=True, metadata={"example": "PUN-2026-000123"})


class AnswerIssueSchema(InputSchema):
    body = fields.String(required=True)
    outcome = fields.String(required=True, metadata={"enum": OUTCOMES})
    reply_doc_number = fields.String(load_default="")
    reply_doc_date = fields.Date(load_default=None, allow_none=True)


class IssueQuerySchema(InputSchema):
    status = fields.String(metadata={"enum": ["open", "answered"]})
    page = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


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


def _tickets(references: list[str]) -> list[Ticket | None]:
    wanted = [r.strip().upper()[:20] for r in references]
    found = {t.reference: t for t in db.session.scalars(
        permissions.visible_tickets(g.api_user).where(Ticket.reference.in_(wanted)).with_for_update())}
    return [found.get(r) for r in wanted]


@bp.post("/systemic-issues")
@bp.arguments(NewIssueSchema())
@bp.response(201, SystemicIssueSchema)
@bp.alt_response(404, schema=ErrorSchema)
def create_issue(data):
    """Create a systemic issue from obstacles (triage)."""
    if not permissions.can_manage_issues(g.api_user):
        raise not_visible()
    issue = commit(lambda: systemic.create_issue(g.api_user, title=data["title"],
                                                 tickets=_tickets(data["tickets"])[:systemic.LINK_MAX + 1]))
    return issue_json(issue, g.api_user)


def _issue(code: str, for_update: bool = False):
    return permissions.get_visible_issue(g.api_user, code, for_update=for_update)


@bp.get("/systemic-issues/<code>")
@bp.response(200, SystemicIssueSchema)
@bp.alt_response(404, schema=ErrorSchema)
def get_issue(code: str):
    """One systemic issue: its answer, how many localities asked."""
    return issue_json(_issue(code), g.api_user)


@bp.post("/systemic-issues/<code>/tickets")
@bp.arguments(LinkTicketSchema())
@bp.response(200, SystemicIssueSchema)
@bp.alt_response(404, schema=ErrorSchema)
def link_ticket(data, code: str):
    """Link one more obstacle (answered at once if the issue is)."""
    if not permissions.can_manage_issues(g.api_user):
        raise not_visible()
    issue = _issue(code, for_update=True)
    commit(lambda: systemic.link_ticket(g.api_user, issue, _tickets([data["reference"]])[0]))
    return issue_json(issue, g.api_user)


@bp.post("/systemic-issues/<code>/answer")
@bp.arguments(AnswerIssueSchema())
@bp.response(200, SystemicIssueSchema)
@bp.alt_response(404, schema=ErrorSchema)
def answer_issue(data, code: str):
    """Answer every linked obstacle at once."""
    issue = _issue(code, for_update=True)
    answered = commit(lambda: systemic.answer_issue(
        g.api_user, issue, version=issue.version, body=data["body"], outcome=data["outcome"],
        reply_doc_number=data["reply_doc_number"] or "", reply_doc_date=data["reply_doc_date"]))
    return {**issue_json(issue, g.api_user), "answered": answered}


@bp.get("/systemic-issues")
@bp.arguments(IssueQuerySchema(), location="query", as_kwargs=True)
@bp.response(200, IssuePageSchema)
def list_issues(status=None, page=1):
    """The systemic issues the caller may see, newest first."""
    listing = systemic_queries.issue_list(g.api_user, status, page)
    return {"items": [{"code": i.code, "title": i.title, "status": i.status, "reporter_count": i.reporter_count,
                       "ticket_count": i.ticket_count} for i in listing.items],
            "page": listing.page, "pages": listing.pages, "total": listing.total}
