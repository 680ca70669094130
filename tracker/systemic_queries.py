"""Read side of systemic issues: the issues a user may see, and an issue's obstacles the user may see."""
from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import joinedload

from .enums import SystemicStatus
from .extensions import db
from .models import SystemicIssue, Ticket, User
from .permissions import visible_issues, visible_tickets
from .queries import LIST_LOADS


def _page(query, page: int | None):
    return db.paginate(query, page=max(page or 1, 1), per_page=current_app.config["PAGE_SIZE"], error_out=False)


def issue_list(user: User, status: str | None = None, page: int | None = 1):
    """Newest first; each row already knows how many obstacles and localities it holds (no count per row)."""
    query = visible_issues(user).options(joinedload(SystemicIssue.lead_unit), joinedload(SystemicIssue.assignee))
    if status in set(SystemicStatus):
        query = query.where(SystemicIssue.status == status)
    return _page(query.order_by(SystemicIssue.created_at.desc(), SystemicIssue.id.desc()), page)


def issue_tickets(user: User, issue: SystemicIssue, page: int | None = 1):
    """The issue's obstacles this user may see: a locality sees only its own (and never another's)."""
    query = visible_tickets(user).where(Ticket.systemic_issue_id == issue.id).options(*LIST_LOADS)
    return _page(query.order_by(Ticket.id), page)
