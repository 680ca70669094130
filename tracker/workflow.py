"""The obstacle's life after triage: ask the locality, answer, confirm or reopen, rate, merge, link, transfer.

Each action checks who may take it (permissions.can_*), the form's version (optimistic locking) and its
values before changing anything; status changes go through lifecycle.set_status and the TRANSITIONS table.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import attachments, permissions
from .enums import MessageKind, Outcome, Status
from .errors import DomainError
from .extensions import db
from .history import record
from .lifecycle import check_version, set_status
from .localtime import local_date
from .mail import notify
from .models import Message, Ticket, TicketLink, User, utcnow
from .tickets import TEXT_MAX, add_message, clean_text
from .worktime import sla
from .worktime.calendar import load_calendar

AUTO_CLOSE_WORKING_DAYS = 7
DOC_NUMBER_MAX = 100
AGENCY_MAX = 200
COMMENT_MAX = 2000


def _refuse_unless(allowed: bool, message) -> None:
    if not allowed:
        raise DomainError(message)


def ask_locality(user: User, ticket: Ticket, *, version, body: str, files=(),
                 now: dt.datetime | None = None) -> Message:
    """Ask the locality for what is missing; the obstacle waits (SLA paused) until it replies."""
    now = now or utcnow()
    _refuse_unless(permissions.can_ask_locality(user, ticket), _l("You may not ask the locality now."))
    check_version(ticket, version)
    body = clean_text(body, "body", _l("Question to the locality"), TEXT_MAX)
    uploads = attachments.check_files(files)
    message = add_message(user, ticket, MessageKind.REPLY, body, now)
    set_status(ticket, user, Status.AWAITING_LOCALITY, now)
    ticket.updated_at = now
    db.session.flush()
    attachments.store(uploads, ticket=ticket, user=user, message=message)
    notify.notify_locality_of_message(ticket, message)
    return message


def answer(user: User, ticket: Ticket, *, version, body: str, outcome: str, reply_doc_number: str = "",
           reply_doc_date: dt.date | None = None, files=(), now: dt.datetime | None = None) -> Message:
    """The specialist's answer, with its outcome and optionally the official reply document."""
    now = now or utcnow()
    _refuse_unless(permissions.can_answer(user, ticket), _l("You may not answer this obstacle now."))
    check_version(ticket, version)
    body, outcome, doc_number = check_answer(body, outcome, reply_doc_number, reply_doc_date, now)
    uploads = attachments.check_files(files)
    if ticket.status_enum is Status.ASSIGNED:
        set_status(ticket, user, Status.IN_PROGRESS, now)
    message = add_message(user, ticket, MessageKind.ANSWER, body, now)
    set_status(ticket, user, Status.ANSWERED, now)
    record(ticket, user, "outcome", "outcome", ticket.outcome, outcome.value, at=now)
    ticket.outcome = outcome.value
    ticket.reply_doc_number = doc_number or None
    ticket.reply_doc_date = reply_doc_date
    ticket.updated_at = now
    db.session.flush()
    attachments.store(uploads, ticket=ticket, user=user, message=message)
    notify.notify_locality_of_message(ticket, message)
    return message


def check_answer(body: str, outcome: str, reply_doc_number: str | None, reply_doc_date: dt.date | None,
                 now: dt.datetime) -> tuple[str, Outcome, str]:
    """An answer's text, outcome and reply document number, cleaned; a DomainError names the wrong field."""
    body = clean_text(body, "body", _l("Answer"), TEXT_MAX)
    try:
        outcome = Outcome(outcome)
    except ValueError:
        raise DomainError(_l("Choose an outcome from the list."), "outcome") from None
    doc_number = clean_text(reply_doc_number, "reply_doc_number", _l("Reply document number"), DOC_NUMBER_MAX,
                            required=False)
    if reply_doc_date is not None and reply_doc_date > local_date(now):
        raise DomainError(_l("The document date cannot be in the future."), "reply_doc_date")
    return body, outcome, doc_number


def confirm_answer(user: User, ticket: Ticket, *, version, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    _refuse_unless(permissions.can_confirm(user, ticket), _l("Only the locality can confirm an answer."))
    check_version(ticket, version)
    record(ticket, user, "confirmed", at=now)
    set_status(ticket, user, Status.CLOSED, now)
    ticket.updated_at = now
    db.session.flush()


def reopen(user: User, ticket: Ticket, *, version, reason: str, now: dt.datetime | None = None) -> Message:
    """The locality is not satisfied: the reason goes to the team as a reply, the work resumes."""
    now = now or utcnow()
    _refuse_unless(permissions.can_reopen(user, ticket), _l("Only the locality can reopen an answer."))
    check_version(ticket, version)
    reason = clean_text(reason, "reason", _l("Reason"), TEXT_MAX)
    message = add_message(user, ticket, MessageKind.REPLY, reason, now)
    record(ticket, user, "reopened", new=reason[:200], at=now)
    set_status(ticket, user, Status.IN_PROGRESS, now)
    ticket.updated_at = now
    db.session.flush()
    return message


def rate(user: User, ticket: Ticket, *, version, score, comment: str = "",
         now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    _refuse_unless(permissions.can_rate(user, ticket), _l("Only the locality can rate an answer."))
    check_version(ticket, version)
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise DomainError(_l("Choose a rating from 1 to 5."), "score")
    comment = clean_text(comment, "comment", _l("Comment"), COMMENT_MAX, required=False)
    record(ticket, user, "rated", "rating", ticket.rating, score, at=now)
    ticket.rating = score
    ticket.rating_comment = comment or None
    ticket.updated_at = now
    db.session.flush()


def mark_duplicate(user: User, ticket: Ticket, *, version, main: Ticket | None,
                   now: dt.datetime | None = None) -> None:
    """Merge into the main obstacle; the duplicate's locality is told and can follow the main one."""
    now = now or utcnow()
    _refuse_unless(permissions.can_mark_duplicate(user, ticket), _l("This obstacle cannot be merged now."))
    check_version(ticket, version)
    if main is None:
        raise DomainError(_l("No obstacle has this reference."), "main")
    if main.id == ticket.id:
        raise DomainError(_l("An obstacle cannot be a duplicate of itself."), "main")
    if main.status_enum in (Status.DUPLICATE, Status.TRANSFERRED):
        raise DomainError(_l("Choose the main obstacle, not one that was merged or transferred."), "main")
    record(ticket, user, "duplicate", "duplicate_of", None, main.reference, at=now)
    record(main, user, "merged", new=ticket.reference, internal=True, at=now)
    ticket.duplicate_of = main
    set_status(ticket, user, Status.DUPLICATE, now)
    ticket.updated_at = now
    db.session.flush()
    notify.notify_locality_closed(ticket, "duplicate")


def link(user: User, ticket: Ticket, *, other: Ticket | None, now: dt.datetime | None = None) -> None:
    """Relate two obstacles (stored once, lower id first)."""
    now = now or utcnow()
    _refuse_unless(permissions.can_link(user, ticket), _l("You may not link obstacles."))
    if other is None:
        raise DomainError(_l("No obstacle has this reference."), "other")
    if other.id == ticket.id:
        raise DomainError(_l("An obstacle cannot be linked to itself."), "other")
    low, high = sorted((ticket.id, other.id))
    if db.session.get(TicketLink, (low, high)) is not None:
        raise DomainError(_l("These obstacles are already linked."), "other")
    db.session.add(TicketLink(ticket_id=low, other_id=high))
    record(ticket, user, "linked", new=other.reference, internal=True, at=now)
    record(other, user, "linked", new=ticket.reference, internal=True, at=now)
    db.session.flush()


def linked_tickets(user: User, ticket: Ticket) -> list[Ticket]:
    """Related obstacles this user may see."""
    ids = select(TicketLink.other_id).where(TicketLink.ticket_id == ticket.id).union(
        select(TicketLink.ticket_id).where(TicketLink.other_id == ticket.id))
    query = permissions.visible_tickets(user).where(Ticket.id.in_(ids)).order_by(Ticket.id)
    return list(db.session.scalars(query))


def duplicates_of(user: User, ticket: Ticket) -> list[Ticket]:
    query = permissions.visible_tickets(user).where(Ticket.duplicate_of_id == ticket.id).order_by(Ticket.id)
    return list(db.session.scalars(query))


def transfer(user: User, ticket: Ticket, *, version, agency: str, note: str,
             now: dt.datetime | None = None) -> Message:
    """Outside the ministry's remit: close as transferred to a named agency, with a note the locality sees."""
    now = now or utcnow()
    _refuse_unless(permissions.can_transfer(user, ticket), _l("This obstacle cannot be transferred now."))
    check_version(ticket, version)
    agency = clean_text(agency, "agency", _l("Competent agency"), AGENCY_MAX)
    note = clean_text(note, "note", _l("Note to the locality"), TEXT_MAX)
    message = add_message(user, ticket, MessageKind.REPLY, note, now)
    record(ticket, user, "transferred", "transferred_to", None, agency, at=now)
    ticket.transferred_to = agency
    set_status(ticket, user, Status.TRANSFERRED, now)
    ticket.updated_at = now
    db.session.flush()
    notify.notify_locality_closed(ticket, "transferred")
    return message


def close_unconfirmed_answers(now: dt.datetime | None = None) -> int:
    """Answers the locality has not reacted to within 7 working days close themselves (idempotent)."""
    now = now or utcnow()
    # 7 working days never fit in less than 6 calendar days: a cheap, indexed first cut.
    candidates = db.session.scalars(
        select(Ticket).where(Ticket.status == Status.ANSWERED.value,
                             Ticket.answered_at <= now - dt.timedelta(days=6)).with_for_update()
    ).all()
    closed = 0
    calendar = load_calendar() if candidates else None  # one read of the calendar for the whole sweep
    for ticket in candidates:
        if sla.add_working_days(ticket.answered_at, AUTO_CLOSE_WORKING_DAYS, calendar) <= now:
            record(ticket, None, "auto_closed", at=now)
            set_status(ticket, None, Status.CLOSED, now)
            ticket.updated_at = now
            closed += 1
    db.session.flush()
    return closed


def run_auto_close() -> None:
    """The scheduled job: one transaction."""
    close_unconfirmed_answers(utcnow())
    db.session.commit()
