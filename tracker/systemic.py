"""Systemic issues (vấn đề chung): many localities' obstacles about one thing, routed and answered once.

Each linked obstacle keeps its own life: the issue's routing reaches it through tickets.triage_ticket, the
issue's answer through workflow.answer (its own history events, its own "answered" email, and later its
own confirm, reopen and rating). An obstacle linked after the answer is answered at once. Like every
domain action these validate, change, record history and flush; the caller commits.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import func, select

from . import attachments, permissions, workflow
from .enums import MessageKind, Role, Status, SystemicStatus
from .errors import DomainError
from .extensions import db
from .history import record
from .lifecycle import resume_after_locality
from .localtime import local_zone
from .models import Category, Locality, Message, SystemicIssue, Ticket, Unit, User, utcnow
from .sequences import next_value
from .tickets import TITLE_MAX, UNCHANGED, clean_text, triage_ticket

LINK_MAX = 500  # obstacles one request may link (a queue selection, an API call)
ROUTABLE = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS)  # what the issue's routing reaches
ANSWERABLE = (*ROUTABLE, Status.AWAITING_LOCALITY)  # what the issue's answer reaches


def _refuse_unless(allowed: bool, message) -> None:
    if not allowed:
        raise DomainError(message)


def check_version_of(issue: SystemicIssue, version) -> None:
    """Optimistic locking for the issue's forms, as for an obstacle's."""
    try:
        seen = int(version)
    except (TypeError, ValueError):
        seen = None
    if seen != issue.version:
        raise DomainError(_l("Someone else changed this systemic issue while you were editing it. "
                             "Review the latest version below and try again."), "version")


def create_issue(user: User, *, title: str, tickets: list[Ticket | None], now: dt.datetime | None = None,
                 field: str = "tickets") -> SystemicIssue:
    """A new issue from one obstacle or a selection; it takes the first obstacle's category and lead unit."""
    now = now or utcnow()
    _refuse_unless(permissions.can_manage_issues(user), _l("You may not create systemic issues."))
    title = clean_text(title, "title", _l("Title"), TITLE_MAX)
    tickets = _distinct(tickets, field)
    for ticket in tickets:
        _check_linkable(ticket, None, field)
    year = now.astimezone(local_zone()).year
    seq = next_value("systemic_sequences", year)
    first = tickets[0]
    issue = SystemicIssue(code=f"VDC-{year}-{seq:04d}", year=year, seq=seq, title=title, created_by=user,
                          category=first.category, lead_unit=first.lead_unit, created_at=now, updated_at=now,
                          status=SystemicStatus.OPEN.value)
    db.session.add(issue)
    db.session.flush()
    for ticket in tickets:
        _link(user, issue, ticket, now)
    _recount(issue)
    return issue


def _distinct(tickets: list[Ticket | None], field: str) -> list[Ticket]:
    if any(t is None for t in tickets):
        raise DomainError(_l("No obstacle has this reference."), field)
    unique = list({t.id: t for t in tickets}.values())
    if not unique:
        raise DomainError(_l("Select at least one obstacle."), field)
    if len(unique) > LINK_MAX:
        raise DomainError(_l("Select at most %(max)d obstacles at once.", max=LINK_MAX), field)
    return unique


def _check_linkable(ticket: Ticket, issue: SystemicIssue | None, field: str) -> None:
    """One issue per obstacle, and only an obstacle that is still open."""
    reference = escape(ticket.reference)
    if issue is not None and ticket.systemic_issue_id == issue.id:
        raise DomainError(_l("%(reference)s is already linked to this issue.", reference=reference), field)
    if ticket.systemic_issue_id is not None:
        raise DomainError(_l("%(reference)s is already part of the systemic issue %(code)s.", reference=reference,
                             code=escape(ticket.systemic_issue.code)), field)
    if not ticket.is_open:
        raise DomainError(_l("%(reference)s is closed: only open obstacles can be linked.", reference=reference),
                          field)


def link_ticket(user: User, issue: SystemicIssue, ticket: Ticket | None, *, now: dt.datetime | None = None,
                field: str = "reference") -> None:
    """Link one more obstacle: it follows the issue's routing, or its answer when the issue has one."""
    now = now or utcnow()
    _refuse_unless(permissions.can_manage_issues(user), _l("You may not link obstacles to systemic issues."))
    if ticket is None:
        raise DomainError(_l("No obstacle has this reference."), field)
    _check_linkable(ticket, issue, field)
    _link(user, issue, ticket, now)
    _recount(issue)


def _link(user: User, issue: SystemicIssue, ticket: Ticket, now: dt.datetime) -> None:
    ticket.systemic_issue = issue
    record(ticket, user, "systemic_linked", "systemic_issue", None, issue.code, at=now)
    issue.updated_at = now
    if issue.is_answered:
        message = _answer_ticket(user, issue, ticket, now)
        if message is not None:
            _share_reply_files(issue, ticket, message, user)
    else:
        _route(user, issue, ticket, now)


def _share_reply_files(issue: SystemicIssue, ticket: Ticket, message: Message, user: User) -> None:
    """An obstacle answered after the issue gets the reply document's files the others got (hard links)."""
    first = db.session.scalar(select(Message).join(Ticket, Ticket.id == Message.ticket_id).where(
        Ticket.systemic_issue_id == issue.id, Message.kind == MessageKind.ANSWER.value, Message.id != message.id,
        Message.created_at == issue.answered_at).order_by(Message.id).limit(1))
    if first is not None:
        attachments.link_files(first, ticket=ticket, message=message, user=user)


def unlink_ticket(user: User, issue: SystemicIssue, ticket: Ticket | None, *, now: dt.datetime | None = None) -> None:
    """The obstacle leaves the issue; what it received from the issue (routing, answer) stays."""
    now = now or utcnow()
    _refuse_unless(permissions.can_manage_issues(user), _l("You may not unlink obstacles from systemic issues."))
    if ticket is None or ticket.systemic_issue_id != issue.id:
        raise DomainError(_l("This obstacle is not linked to this issue."), "reference")
    ticket.systemic_issue = None
    record(ticket, user, "systemic_unlinked", "systemic_issue", issue.code, None, at=now)
    issue.updated_at = now
    _recount(issue)


def _recount(issue: SystemicIssue) -> None:
    """How many obstacles, from how many localities (the N of "N localities asked")."""
    db.session.flush()
    tickets, localities = db.session.execute(
        select(func.count(Ticket.id), func.count(func.distinct(Ticket.locality_id)))
        .where(Ticket.systemic_issue_id == issue.id)).one()
    issue.ticket_count, issue.reporter_count = tickets, localities
    db.session.flush()


@dataclass
class Routing:
    """What triage sets on an issue, like on an obstacle."""

    title: str
    category: Category | None
    lead_unit: Unit | None
    assignee: User | None
    due_on: dt.date | None


def route_issue(user: User, issue: SystemicIssue, routing: Routing, *, version, now: dt.datetime | None = None) -> int:
    """Set the issue's title, category, lead unit, assignee and deadline; its open obstacles follow.

    Returns how many obstacles were routed. No obstacle is emailed about: the issue is the unit of work.
    """
    now = now or utcnow()
    _refuse_unless(permissions.can_manage_issues(user), _l("You may not route systemic issues."))
    check_version_of(issue, version)
    _refuse_unless(not issue.is_answered, _l("This systemic issue was answered already."))
    issue.title = clean_text(routing.title, "title", _l("Title"), TITLE_MAX)
    _check_routing(routing, now)
    issue.category, issue.lead_unit, issue.assignee = routing.category, routing.lead_unit, routing.assignee
    issue.due_on, issue.updated_at = routing.due_on, now
    db.session.flush()
    routed = 0
    for ticket in _linked(issue, ROUTABLE):
        routed += _route(user, issue, ticket, now)
    return routed


def _check_routing(routing: Routing, now: dt.datetime) -> None:
    if routing.category is None or not routing.category.active:
        raise DomainError(_l("Choose a category from the list."), "category")
    if routing.lead_unit is not None and not routing.lead_unit.active:
        raise DomainError(_l("This unit is not active."), "lead_unit")
    assignee = routing.assignee
    if assignee is not None and (routing.lead_unit is None or not assignee.active
                                 or assignee.role_enum is not Role.SPECIALIST
                                 or assignee.unit_id != routing.lead_unit.id):
        raise DomainError(_l("The assignee must be an active specialist of the lead unit."), "assignee")
    today = now.astimezone(local_zone()).date()
    if routing.due_on is not None and routing.due_on < today:
        raise DomainError(_l("The deadline cannot be in the past."), "due_on")
    if routing.due_on is not None and routing.due_on.year > today.year + 5:
        raise DomainError(_l("The deadline is too far away."), "due_on")


def _linked(issue: SystemicIssue, statuses) -> list[Ticket]:
    """The issue's obstacles in these statuses, locked, in filing order (their localities loaded too: each
    answer email reads its obstacle's locality)."""
    tickets = list(db.session.scalars(
        select(Ticket).where(Ticket.systemic_issue_id == issue.id, Ticket.status.in_([s.value for s in statuses]))
        .order_by(Ticket.id).with_for_update()))
    locality_ids = {t.locality_id for t in tickets}
    if locality_ids:
        db.session.scalars(select(Locality).where(Locality.id.in_(locality_ids))).all()
    return tickets


def _route(user: User, issue: SystemicIssue, ticket: Ticket, now: dt.datetime) -> int:
    """Give the obstacle the issue's lead unit, assignee and deadline (nothing when the issue has no unit).
    A deadline already past is not given again: the obstacle keeps its own."""
    if issue.lead_unit is None or ticket.status_enum not in ROUTABLE:
        return 0
    today = now.astimezone(local_zone()).date()
    due = issue.due_on if issue.due_on is not None and issue.due_on >= today else UNCHANGED
    triage_ticket(user, ticket, version=ticket.version, category=ticket.category, urgency=ticket.urgency,
                  lead_unit=issue.lead_unit, assignee=issue.assignee, due_date=due, now=now, notify_people=False)
    return 1


def answer_issue(user: User, issue: SystemicIssue, *, version, body: str, outcome: str, reply_doc_number: str = "",
                 reply_doc_date: dt.date | None = None, files=(), now: dt.datetime | None = None) -> int:
    """Answer once for everyone: every linked open obstacle gets the answer through workflow.answer, with its
    own history and its own email to its locality, and the reply document's files (stored once). Returns
    how many obstacles were answered."""
    now = now or utcnow()
    _refuse_unless(permissions.can_answer_issue(user, issue), _l("You may not answer this systemic issue now."))
    check_version_of(issue, version)
    body, outcome, doc_number = workflow.check_answer(body, outcome, reply_doc_number, reply_doc_date, now)
    uploads = attachments.check_files(files)
    if issue.lead_unit is None:
        raise DomainError(_l("Choose the issue's lead unit before answering it."), "lead_unit")
    issue.answer, issue.outcome, issue.reply_doc_number = body, outcome.value, doc_number or None
    issue.reply_doc_date, issue.answered_at, issue.answered_by = reply_doc_date, now, user
    issue.status, issue.updated_at = SystemicStatus.ANSWERED.value, now
    answers = [(ticket, message) for ticket in _linked(issue, ANSWERABLE)
               if (message := _answer_ticket(user, issue, ticket, now)) is not None]
    db.session.flush()
    attachments.store_shared(uploads, answers=answers, user=user)
    return len(answers)


def _answer_ticket(user: User, issue: SystemicIssue, ticket: Ticket, now: dt.datetime) -> Message | None:
    """The issue's answer on one obstacle, through the obstacle's own workflow (None when it is past that)."""
    if ticket.status_enum not in ANSWERABLE:
        return None
    if ticket.status_enum is Status.AWAITING_LOCALITY:
        resume_after_locality(ticket, user, now)  # the issue's answer settles what the locality was asked
    needs_routing = ticket.status_enum is Status.NEW or ticket.lead_unit_id != issue.lead_unit_id
    if needs_routing and permissions.can_triage(user):  # else workflow.answer says who may answer it
        _route(user, issue, ticket, now)
    try:
        message = workflow.answer(user, ticket, version=ticket.version, body=issue.answer, outcome=issue.outcome,
                                  reply_doc_number=issue.reply_doc_number or "", reply_doc_date=issue.reply_doc_date,
                                  now=now)
    except DomainError as error:
        raise DomainError(_l("%(reference)s: %(message)s", reference=escape(ticket.reference),
                             message=error.message), error.field) from error
    record(ticket, user, "systemic_answer", "systemic_issue", None, issue.code, at=now)
    return message
