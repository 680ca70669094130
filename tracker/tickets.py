"""Write-side domain actions on tickets. They validate, change, record history and flush; the caller commits."""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import make_transient_to_detached

from . import attachments, data_version, permissions, routing, submissions
from .enums import Channel, MessageKind, RequestedUrgency, Role, Status, Urgency
from .errors import DomainError
from .extensions import db
from .history import record
from .lifecycle import check_version, resume_after_locality, set_status
from .localtime import local_zone
from .mail import notify
from .models import Category, Locality, Message, Ticket, Unit, User, utcnow
from .sequences import next_value
from .worktime import deadlines

TITLE_MAX = 300
UNCHANGED = object()
TEXT_MAX = 20_000
ASSIGNEE_REFUSED = _l("The assignee must be an active specialist of the lead unit.")


def next_reference(year: int) -> tuple[int, str]:
    """Take the next per-year sequence number; the row lock keeps it unique under concurrent filings."""
    seq = next_value("ticket_sequences", year)
    return seq, f"PUN-{year}-{seq:06d}"


def allowed_localities_for(user: User) -> list[Locality]:
    """The localities a user may file for: a commune its own; a province itself and its communes."""
    if user.role_enum is Role.COMMUNE and user.locality:
        return [user.locality]
    if user.role_enum is Role.PROVINCE and user.locality:
        communes = db.session.scalars(
            db.select(Locality).where(Locality.parent_id == user.locality_id).order_by(Locality.name)
        ).all()
        return [user.locality, *communes]
    return []


class CategoryChoice(NamedTuple):
    """An active category as the filing form lists it (kept per process by the reference data's version)."""

    id: int
    code: str
    name: str
    name_en: str
    default_unit_id: int | None
    position: int
    active: bool


def filing_categories() -> tuple[CategoryChoice, ...]:
    """The active categories in their order."""
    return data_version.reference_cached("active categories", lambda: tuple(
        CategoryChoice(*row) for row in db.session.execute(
            select(Category.id, Category.code, Category.name, Category.name_en, Category.default_unit_id,
                   Category.position, Category.active)
            .where(Category.active.is_(True)).order_by(Category.position))))


def filing_category(code: str | None) -> Category | None:
    """The active category of that code, in this session without a statement (made from the kept values)."""
    choice = next((c for c in filing_categories() if c.code == code), None)
    if choice is None:
        return None
    category = Category(**choice._asdict())
    make_transient_to_detached(category)
    return db.session.merge(category, load=False)


def may_file_for(user: User, locality: Locality) -> bool:
    if user.role_enum is Role.COMMUNE:
        return locality.id == user.locality_id
    if user.role_enum is Role.PROVINCE:
        return locality.id == user.locality_id or locality.parent_id == user.locality_id
    return permissions.can_triage(user)


def clean_text(value: str | None, field: str, label, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_l("%(field)s is required.", field=label), field)
    if len(value) > max_length:
        raise DomainError(_l("%(field)s is too long (at most %(max)d characters).", field=label, max=max_length),
                          field)
    return value


def file_ticket(user: User, *, locality: Locality, category: Category, title: str, description: str,
                legal_basis: str = "", requested_urgency: str = RequestedUrgency.NORMAL,
                channel: str = Channel.WEB, incoming_doc_number: str | None = None,
                incoming_doc_date: dt.date | None = None, now: dt.datetime | None = None,
                files=(), submission: str | None = None) -> Ticket:
    """File an obstacle for a locality: reference, deadlines, attachments and the first history event.

    `submission` is the filing form's one-time token: sent again, it answers with the first obstacle.
    """
    now = now or utcnow()
    claimed = submissions.claim(user, submission, now)
    if locality is None or not may_file_for(user, locality):
        raise DomainError(_l("You may not file for this locality."), "locality")
    if category is None or not category.active:
        raise DomainError(_l("Choose a category from the list."), "category")
    try:
        requested = RequestedUrgency(requested_urgency)
    except ValueError:
        raise DomainError(_l("Choose an urgency from the list."), "urgency") from None
    title = clean_text(title, "title", _l("Title"), TITLE_MAX)
    description = clean_text(description, "description", _l("Description"), TEXT_MAX)
    legal_basis = clean_text(legal_basis, "legal_basis", _l("Legal basis"), TEXT_MAX, required=False)
    uploads = attachments.check_files(files)

    year = now.astimezone(local_zone()).year
    ticket = Ticket(
        year=year, locality=locality, locality_id=locality.id,
        province_id=locality.province_id, created_by=user, category=category, title=title,
        description=description, legal_basis=legal_basis, requested_urgency=requested.value,
        urgency=requested.initial_urgency.value, status=Status.NEW.value, channel=Channel(channel).value,
        incoming_doc_number=incoming_doc_number, incoming_doc_date=incoming_doc_date,
        created_at=now, updated_at=now,
    )
    with db.session.no_autoflush:
        deadlines.set_deadlines(ticket, now=now)
    # The number last: from the counter's row lock to the commit, every other filing waits for this one.
    ticket.seq, ticket.reference = next_reference(year)
    db.session.add(ticket)
    db.session.flush()
    submissions.record_result(claimed, ticket)
    record(ticket, user, "filed", at=now)
    attachments.store(uploads, ticket=ticket, user=user)
    routing.route(ticket, now)
    return ticket


def triage_ticket(user: User, ticket: Ticket, *, version, category: Category | None, urgency: str,
                  lead_unit: Unit | None, assignee: User | None, now: dt.datetime | None = None,
                  due_date=UNCHANGED, coordinating_units: list[Unit] | None = None, notify_people: bool = True) -> None:
    """Triage sets category, urgency, lead unit, assignee (and coordinating units); each change is an event.

    `notify_people=False`: no routing or assignment email (a systemic issue routes many obstacles at once and
    the unit hears of the issue, not of each obstacle)."""
    now = now or utcnow()
    if not permissions.can_set_triage_fields(user, ticket):
        raise DomainError(_l("This obstacle can no longer be triaged."))
    check_version(ticket, version)
    if category is None or not category.active:
        raise DomainError(_l("Choose a category from the list."), "category")
    try:
        urgency = Urgency(urgency)
    except ValueError:
        raise DomainError(_l("Choose an urgency from the list."), "urgency") from None
    if lead_unit is not None and not lead_unit.active:
        raise DomainError(_l("This unit is not active."), "lead_unit")
    if assignee is not None:
        if lead_unit is None:
            raise DomainError(_l("Choose the lead unit before assigning a specialist."), "assignee")
        if not assignee.active or assignee.role_enum is not Role.SPECIALIST or assignee.unit_id != lead_unit.id:
            raise DomainError(ASSIGNEE_REFUSED, "assignee")
    if coordinating_units is not None:
        _check_coordinating_units(coordinating_units, lead_unit)

    deadlines_changed = category.id != ticket.category_id or urgency.value != ticket.urgency
    routed = lead_unit is not None and lead_unit != ticket.lead_unit
    assigned = assignee is not None and assignee != ticket.assignee
    seen_version = ticket.version
    _change(ticket, user, "category", ticket.category, category, now)
    ticket.category = category
    _change(ticket, user, "urgency", ticket.urgency, urgency.value, now)
    ticket.urgency = urgency.value
    _change(ticket, user, "lead_unit", ticket.lead_unit, lead_unit, now)
    ticket.lead_unit = lead_unit
    _change(ticket, user, "assignee", ticket.assignee, assignee, now)
    ticket.assignee = assignee
    if coordinating_units is not None:
        _set_coordinating_units(ticket, user, coordinating_units, now)
    if due_date is not UNCHANGED and deadlines.set_explicit_deadline(ticket, user, due_date, now):
        deadlines_changed = False  # set_explicit_deadline recomputed them
    if deadlines_changed:
        deadlines.set_deadlines(ticket, now=now)
    if ticket.status_enum is Status.NEW and lead_unit is not None:
        set_status(ticket, user, Status.ASSIGNED, now)
    ticket.updated_at = now
    db.session.flush()
    if routed and notify_people:
        notify.notify_routed(ticket)
    if assigned and notify_people:
        notify.notify_assigned(ticket, seen_version)


def chosen_assignee(value: str | int | None) -> User | None:
    """A user id from the assignee picker or the API: empty means nobody; an id that names no user is refused
    like a wrong assignee (never read as 'nobody')."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    user = db.session.get(User, int(text)) if text.isdigit() and len(text) < 10 else None
    if user is None:
        raise DomainError(ASSIGNEE_REFUSED, "assignee")
    return user


def _check_coordinating_units(units: list[Unit], lead_unit: Unit | None) -> None:
    if any(u is None or not u.active for u in units):
        raise DomainError(_l("This unit is not active."), "coordinating_units")
    if lead_unit is not None and any(u.id == lead_unit.id for u in units):
        raise DomainError(_l("The lead unit cannot also be a coordinating unit."), "coordinating_units")


def _set_coordinating_units(ticket: Ticket, user: User, units: list[Unit], now: dt.datetime) -> None:
    old = sorted(u.code for u in ticket.coordinating_units)
    new = sorted({u.code for u in units})
    if old != new:
        record(ticket, user, "changed", "coordinating_units", ", ".join(old) or None, ", ".join(new) or None, at=now)
        ticket.coordinating_units = sorted({u.id: u for u in units}.values(), key=lambda u: u.code)


def _change(ticket: Ticket, user: User, field: str, old, new, now: dt.datetime) -> None:
    if old != new:
        record(ticket, user, "changed", field, _display(old), _display(new), at=now)


def _display(value):
    if value is None:
        return None
    return getattr(value, "code", None) or str(value)


def start_work(user: User, ticket: Ticket, *, version, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if not permissions.can_work_on(user, ticket):
        raise DomainError(_l("You may not work on this obstacle."))
    check_version(ticket, version)
    set_status(ticket, user, Status.IN_PROGRESS, now)
    ticket.updated_at = now
    db.session.flush()


def post_message(user: User, ticket: Ticket, *, body: str, internal: bool = False,
                 now: dt.datetime | None = None, files=(), version=None) -> Message:
    """A reply the locality sees, or an internal note for the team (with attachments).

    A locality's reply to an obstacle awaiting it returns the obstacle to the status it paused.
    """
    now = now or utcnow()
    if version is not None:
        check_version(ticket, version)
    if internal and not permissions.can_add_note(user, ticket):
        raise DomainError(_l("Only the team can write internal notes."))
    if not internal and not permissions.can_reply(user, ticket):
        raise DomainError(_l("You may not reply to this obstacle."))
    body = clean_text(body, "body", _l("Message"), TEXT_MAX)
    uploads = attachments.check_files(files)
    kind = MessageKind.NOTE if internal else MessageKind.REPLY
    message = add_message(user, ticket, kind, body, now)
    if not internal and permissions.is_team(user) and ticket.status_enum is Status.ASSIGNED:
        set_status(ticket, user, Status.IN_PROGRESS, now)
    if not internal and not permissions.is_team(user) and ticket.status_enum is Status.AWAITING_LOCALITY:
        resume_after_locality(ticket, user, now)
    ticket.updated_at = now
    db.session.flush()
    attachments.store(uploads, ticket=ticket, user=user, message=message)
    if permissions.is_team(user):
        notify.notify_locality_of_message(ticket, message)
    elif not internal:
        notify.notify_team_of_locality_reply(ticket, message)
    return message


def add_message(user: User, ticket: Ticket, kind: MessageKind, body: str, now: dt.datetime) -> Message:
    message = Message(ticket_id=ticket.id, author=user, kind=kind.value, body=body, created_at=now)
    db.session.add(message)
    db.session.flush()
    record(ticket, user, kind.value, internal=kind is MessageKind.NOTE, at=now)
    return message
