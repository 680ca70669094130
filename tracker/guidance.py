"""Published guidance (hướng dẫn đã công bố): an answered obstacle or a systemic issue's answer, edited and
anonymised, public without login, searchable; it can be updated or withdrawn.

Anonymising: the draft replaces the names of the localities and officers the source holds; publishing
refuses a text that still names one of them (accents or not), unless the publisher keeps names on purpose.
Guidance text is plain text: pages show it escaped.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import Select, select

from . import permissions
from .enums import MessageKind, Role, Status
from .errors import DomainError
from .extensions import db
from .localtime import local_date
from .models import Category, Guidance, Message, SystemicIssue, Ticket, User, utcnow
from .text import fold, words
from .tickets import TEXT_MAX, TITLE_MAX, clean_text

DOC_NUMBER_MAX = 100
_DIVISIONS = ("thanh pho", "dac khu", "phuong", "tinh", "xa")  # folded prefixes of locality names
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(\+?84|0)[\d .-]{8,12}\d(?!\d)")
PUBLISHED_STATUSES = (Status.ANSWERED.value, Status.CLOSED.value)


@dataclass
class Draft:
    """What the publisher edits before publishing."""

    title: str = ""
    question: str = ""
    answer: str = ""
    category: Category | None = None
    legal_basis: str = ""
    reply_doc_number: str = ""
    reply_doc_date: dt.date | None = None
    source_ticket: Ticket | None = None
    source_issue: SystemicIssue | None = None
    names: list[tuple[str, str]] = field(default_factory=list)  # (name, placeholder) the source holds


def _bare(name: str) -> str:
    """A locality's name without its division ("Phường Hoàn Kiếm" → "Hoàn Kiếm")."""
    folded = fold(name)
    for prefix in _DIVISIONS:
        if folded.startswith(prefix + " "):
            return name[len(prefix) + 1:].strip()
    return name


def _names(tickets: list[Ticket]) -> list[tuple[str, str]]:
    """The localities, their provinces and the locality officers the tickets name, longest first."""
    locality, officer = str(_l("[locality]")), str(_l("[officer]"))
    found: dict[str, str] = {}
    ids = [t.id for t in tickets]
    authors = db.session.scalars(select(User).join(Message, Message.author_id == User.id).where(
        Message.ticket_id.in_(ids), User.role.in_([Role.COMMUNE.value, Role.PROVINCE.value]))).all() if ids else []
    for ticket in tickets:
        for place in (ticket.locality, ticket.province):
            if place is not None:
                found[place.name] = found[_bare(place.name)] = locality
    for user in {*(t.created_by for t in tickets), *authors}:
        if user.role_enum.is_locality and user.name:
            found[user.name] = officer
    return sorted(((name, mark) for name, mark in found.items() if words(name)), key=lambda p: -len(words(p[0])))


def _spans(text: str, name: str) -> list[tuple[int, int]]:
    """Where `name` stands in `text` as whole words, accents or not (text positions)."""
    wanted = words(name)
    found = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\W_]+", text)]
    spans = []
    for i in range(len(found) - len(wanted) + 1):
        if [fold(w) for _s, _e, w in found[i:i + len(wanted)]] == wanted:
            spans.append((found[i][0], found[i + len(wanted) - 1][1]))
    return spans


def anonymise(text: str, names: list[tuple[str, str]]) -> str:
    """The text with the names replaced by their placeholders, and email addresses and phone numbers hidden."""
    for name, mark in names:
        for start, end in reversed(_spans(text, name)):
            text = text[:start] + mark + text[end:]
    text = _EMAIL.sub(str(_l("[email]")), text)
    return _PHONE.sub(str(_l("[phone]")), text)


def named(texts: list[str], names: list[tuple[str, str]]) -> str | None:
    """The first name (or email address) still in the texts, if any."""
    for text in texts:
        for name, _mark in names:
            if _spans(text, name):
                return name
        email = _EMAIL.search(text)
        if email:
            return email.group()
    return None


def _answer_of(ticket: Ticket) -> str:
    message = db.session.scalar(select(Message).where(Message.ticket_id == ticket.id,
                                                      Message.kind == MessageKind.ANSWER.value)
                                .order_by(Message.created_at.desc(), Message.id.desc()))
    return message.body if message else ""


def is_publishable_ticket(ticket: Ticket) -> bool:
    return ticket.answered_at is not None and ticket.status in PUBLISHED_STATUSES


def draft_from_ticket(ticket: Ticket) -> Draft:
    """An answered obstacle as guidance: its question and answer with the names replaced."""
    names = _names([ticket])
    return Draft(title=anonymise(ticket.title, names), question=anonymise(ticket.description, names),
                 answer=anonymise(_answer_of(ticket), names), category=ticket.category,
                 legal_basis=anonymise(ticket.legal_basis or "", names),
                 reply_doc_number=ticket.reply_doc_number or "", reply_doc_date=ticket.reply_doc_date,
                 source_ticket=ticket, names=names)


def draft_from_issue(issue: SystemicIssue) -> Draft:
    """A systemic issue's answer as guidance; the question starts from its first obstacle's description."""
    tickets = list(issue.tickets)
    names = _names(tickets)
    question = anonymise(tickets[0].description if tickets else issue.title, names)
    return Draft(title=anonymise(issue.title, names), question=question, answer=anonymise(issue.answer or "", names),
                 category=issue.category, reply_doc_number=issue.reply_doc_number or "",
                 reply_doc_date=issue.reply_doc_date, source_issue=issue, names=names)


def names_of(guidance: Guidance) -> list[tuple[str, str]]:
    if guidance.source_issue is not None:
        return _names(list(guidance.source_issue.tickets))
    return _names([guidance.source_ticket]) if guidance.source_ticket is not None else []


def _checked(user: User, draft: Draft, keep_names: bool, now: dt.datetime) -> Draft:
    if not permissions.can_triage(user):
        raise DomainError(_l("You may not publish guidance."))
    title = clean_text(draft.title, "title", _l("Title"), TITLE_MAX)
    question = clean_text(draft.question, "question", _l("Question"), TEXT_MAX)
    answer = clean_text(draft.answer, "answer", _l("Answer"), TEXT_MAX)
    legal_basis = clean_text(draft.legal_basis, "legal_basis", _l("Legal basis"), TEXT_MAX, required=False)
    number = clean_text(draft.reply_doc_number, "reply_doc_number", _l("Reply document number"), DOC_NUMBER_MAX,
                        required=False)
    if draft.reply_doc_date is not None and draft.reply_doc_date > local_date(now):
        raise DomainError(_l("The document date cannot be in the future."), "reply_doc_date")
    if draft.category is not None and not draft.category.active:
        raise DomainError(_l("Choose a category from the list."), "category")
    left = None if keep_names else named([title, question, answer, legal_basis], draft.names)
    if left:
        raise DomainError(_l("The text still names “%(name)s”: replace it, or keep names on purpose.",
                             name=escape(left)), "question")
    return Draft(title, question, answer, draft.category, legal_basis, number, draft.reply_doc_date,
                 draft.source_ticket, draft.source_issue, draft.names)


def _search_text(draft: Draft) -> str:
    texts = (draft.title, draft.question, draft.answer, draft.legal_basis, draft.reply_doc_number,
             draft.category.name if draft.category else "")
    return f" {' '.join(words(' '.join(texts)))} "


def refusal(draft: Draft):
    """Why this draft's source cannot be published (not answered yet), or None."""
    ticket, issue = draft.source_ticket, draft.source_issue
    if (ticket is None) == (issue is None):
        return _l("Choose the answered obstacle or systemic issue to publish.")
    if ticket is not None and not is_publishable_ticket(ticket):
        return _l("Only an answered obstacle can be published as guidance.")
    if issue is not None and not issue.is_answered:
        return _l("Only an answered systemic issue can be published as guidance.")
    return None


def publish(user: User, draft: Draft, *, keep_names: bool = False, now: dt.datetime | None = None) -> Guidance:
    """Publish an answered obstacle's or systemic issue's answer; refused for anything not answered yet."""
    now = now or utcnow()
    reason = refusal(draft)
    if reason is not None:
        raise DomainError(reason)
    clean = _checked(user, draft, keep_names, now)
    ticket, issue = draft.source_ticket, draft.source_issue
    guidance = Guidance(published_by=user, published_at=now, updated_at=now, names_kept=keep_names,
                        source_ticket=ticket, source_issue=issue)
    _fill(guidance, clean)
    db.session.add(guidance)
    db.session.flush()
    return guidance


def _fill(guidance: Guidance, draft: Draft) -> None:
    guidance.title, guidance.question, guidance.answer = draft.title, draft.question, draft.answer
    guidance.category, guidance.legal_basis = draft.category, draft.legal_basis
    guidance.reply_doc_number, guidance.reply_doc_date = draft.reply_doc_number or None, draft.reply_doc_date
    guidance.search_text = _search_text(draft)


def update(user: User, guidance: Guidance, draft: Draft, *, keep_names: bool = False,
           now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    draft.names = names_of(guidance)
    clean = _checked(user, draft, keep_names, now)
    _fill(guidance, clean)
    guidance.names_kept, guidance.updated_at = keep_names, now
    db.session.flush()


def withdraw(user: User, guidance: Guidance, *, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if not permissions.can_triage(user):
        raise DomainError(_l("You may not withdraw guidance."))
    if guidance.withdrawn_at is not None:
        raise DomainError(_l("This guidance was withdrawn already."))
    guidance.withdrawn_at = guidance.updated_at = now
    db.session.flush()


def published() -> Select:
    """Published guidance, newest first: what everyone may read."""
    return select(Guidance).where(Guidance.withdrawn_at.is_(None)).order_by(Guidance.published_at.desc(),
                                                                             Guidance.id.desc())


def matching(query, text: str | None):
    """Guidance holding every word of `text` (accents optional)."""
    for term in words(text)[:12]:
        query = query.where(Guidance.search_text.contains(f" {term} ", autoescape=True))
    return query

