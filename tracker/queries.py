"""Read-side queries shared by pages, the API and jobs. All start from visible_tickets(user)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .enums import MessageKind, SlaState, Status
from .extensions import db
from .models import Attachment, Event, Locality, Message, Ticket, User
from .permissions import can_see_internal, visible_tickets

LIST_LOADS = (
    joinedload(Ticket.locality),
    joinedload(Ticket.category),
    joinedload(Ticket.lead_unit),
    joinedload(Ticket.assignee),
)


@dataclass
class TicketFilters:
    status: str | None = None
    q: str | None = None
    sla_state: str | None = None

    @classmethod
    def from_args(cls, args) -> TicketFilters:
        status = args.get("status") or None
        if status not in {s.value for s in Status}:
            status = None
        q = (args.get("q") or "").strip()[:100] or None
        sla_state = args.get("sla_state") or None
        if sla_state not in {s.value for s in SlaState}:
            sla_state = None
        return cls(status=status, q=q, sla_state=sla_state)

    def apply(self, query):
        if self.status:
            query = query.where(Ticket.status == self.status)
        if self.sla_state:
            query = query.where(Ticket.sla_state == self.sla_state)
        if self.q:
            query = query.where(Ticket.title.ilike(f"%{_escape_like(self.q)}%", escape="\\"))
        return query


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _page_args(page: int | None):
    return {"page": max(page or 1, 1), "per_page": current_app.config["PAGE_SIZE"], "error_out": False}


def ticket_list(user: User, filters: TicketFilters, page: int | None = 1):
    """The general list: what the user may see, newest first."""
    query = filters.apply(visible_tickets(user)).options(*LIST_LOADS).order_by(Ticket.created_at.desc(),
                                                                                 Ticket.id.desc())
    return db.paginate(query, **_page_args(page))


def triage_queue(user: User, page: int | None = 1):
    """New tickets, oldest first."""
    query = (visible_tickets(user).where(Ticket.status == Status.NEW.value).options(*LIST_LOADS)
             .order_by(Ticket.created_at.asc(), Ticket.id.asc()))
    return db.paginate(query, **_page_args(page))


def ticket_messages(user: User, ticket: Ticket) -> list[Message]:
    query = (select(Message).where(Message.ticket_id == ticket.id)
             .options(joinedload(Message.author), selectinload(Message.attachments))
             .order_by(Message.created_at, Message.id))
    if not can_see_internal(user):
        query = query.where(Message.kind != MessageKind.NOTE.value)
    return list(db.session.scalars(query))


def ticket_events(user: User, ticket: Ticket) -> list[Event]:
    query = (select(Event).where(Event.ticket_id == ticket.id).options(joinedload(Event.actor))
             .order_by(Event.created_at, Event.id))
    if not can_see_internal(user):
        query = query.where(Event.internal.is_(False))
    return list(db.session.scalars(query))


_ANY = object()


def ticket_attachments(ticket: Ticket, message_id=_ANY) -> list[Attachment]:
    """The ticket's files; message_id=None gives those filed with the obstacle itself."""
    query = select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(Attachment.id)
    if message_id is not _ANY:
        query = query.where(Attachment.message_id.is_(None) if message_id is None
                            else Attachment.message_id == message_id)
    return list(db.session.scalars(query))


def specialists_by_unit() -> dict[int, list[User]]:
    from .enums import Role

    users = db.session.scalars(select(User).where(User.role == Role.SPECIALIST.value, User.active.is_(True))
                               .order_by(User.name)).all()
    grouped: dict[int, list[User]] = {}
    for user in users:
        if user.unit_id:
            grouped.setdefault(user.unit_id, []).append(user)
    return grouped


def locality_by_code(code: str | None) -> Locality | None:
    if not code:
        return None
    return db.session.scalar(select(Locality).where(Locality.code == code.strip()))
