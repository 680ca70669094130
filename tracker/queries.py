"""Read-side queries shared by pages, the API and jobs. All start from visible_tickets(user)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_, select
from sqlalchemy.orm import joinedload, selectinload

from .enums import OPEN_STATUSES, MessageKind, SlaState, Status, Urgency
from .extensions import db
from .localtime import local_midnight, parse_local_date
from .models import Attachment, Category, Event, Locality, Message, Ticket, Unit, User, ticket_units
from .permissions import can_see_internal, visible_tickets
from .text import fold

LIST_LOADS = (
    joinedload(Ticket.locality),
    joinedload(Ticket.category),
    joinedload(Ticket.lead_unit),
    joinedload(Ticket.assignee),
    joinedload(Ticket.province),
)
OPEN_VALUES = [s.value for s in OPEN_STATUSES]


def parse_date(value: str | None) -> dt.date | None:
    """localtime.parse_local_date, or None for what it refuses (a slip such as 01/01/0001 included)."""
    try:
        return parse_local_date(value)
    except ValueError:
        return None


SORTS = {
    "newest": lambda: (Ticket.created_at.desc(), Ticket.id.desc()),
    "age": lambda: (Ticket.created_at.asc(), Ticket.id.asc()),
    "deadline": lambda: (Ticket.answer_due_at.asc().nulls_last(), Ticket.id.asc()),
    "urgency": lambda: (Ticket.urgency_rank.asc(), Ticket.created_at.asc(), Ticket.id.asc()),
    # Overdue first, then due soon, then on track; the nearest deadline first within each state.
    "sla": lambda: (case({SlaState.BREACHED: 0, SlaState.AT_RISK: 1, SlaState.ON_TRACK: 2},
                         value=Ticket.sla_state, else_=3).asc(),
                    Ticket.answer_due_at.asc().nulls_last(), Ticket.id.asc()),
}
SORT_LABELS = {"newest": _l("Newest first"), "age": _l("Oldest first"), "deadline": _l("Deadline"),
               "urgency": _l("Most urgent first"), "sla": _l("Deadline state (overdue first)")}
FILTER_KEYS = ("status", "urgency", "category", "province", "commune", "unit", "assignee", "sla_state",
               "first_response_state", "filed_from", "filed_to", "q", "sort")


@dataclass
class TicketFilters:
    """A queue's filters, read from (and written back to) the query string so views can be bookmarked."""

    status: str | None = None
    q: str | None = None
    urgency: str | None = None
    category: str | None = None
    province: str | None = None
    commune: str | None = None
    unit: str | None = None
    assignee: str | None = None
    sla_state: str | None = None
    first_response_state: str | None = None
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None
    sort: str | None = None
    notes: list = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> TicketFilters:
        def pick(name, allowed):
            value = (args.get(name) or "").strip()
            return value if value in allowed else None

        def code(name, max_length=40):
            value = (args.get(name) or "").strip()
            return value if value and len(value) <= max_length else None

        filters = cls(
            status=pick("status", {s.value for s in Status}),
            q=(args.get("q") or "").strip()[:100] or None,
            urgency=pick("urgency", {u.value for u in Urgency}),
            category=code("category"), province=code("province", 5), commune=code("commune", 5),
            unit=code("unit"), sla_state=pick("sla_state", {s.value for s in SlaState}),
            first_response_state=pick("first_response_state", {s.value for s in SlaState}),
            sort=pick("sort", SORTS.keys()),
        )
        assignee = (args.get("assignee") or "").strip()
        if assignee in ("me", "none") or (assignee.isdigit() and len(assignee) < 10):
            filters.assignee = assignee
        for name in ("filed_from", "filed_to"):
            raw = (args.get(name) or "").strip()
            if raw:
                setattr(filters, name, parse_date(raw))
                if getattr(filters, name) is None:
                    filters.notes.append(_l("The date “%(value)s” was not understood (write dd/mm/yyyy); "
                                            "that filter is ignored.", value=raw[:20]))
        return filters

    def apply(self, query, user: User | None = None):
        for condition in self._conditions(user):
            query = query.where(condition)
        return query

    def _conditions(self, user):
        if self.status:
            yield Ticket.status == self.status
        if self.q:
            yield Ticket.title_folded.like(f"%{_escape_like(fold(self.q))}%", escape="\\")
        if self.urgency:
            yield Ticket.urgency == self.urgency
        if self.category:
            yield Ticket.category_id == _id_of(Category, self.category)
        if self.province:
            yield Ticket.province_id == _id_of(Locality, self.province)
        if self.commune:
            yield Ticket.locality_id == _id_of(Locality, self.commune)
        if self.unit:
            yield Ticket.lead_unit_id == _id_of(Unit, self.unit)
        if self.assignee == "none":
            yield Ticket.assignee_id.is_(None)
        elif self.assignee == "me":
            yield Ticket.assignee_id == (user.id if user else None)
        elif self.assignee:
            yield Ticket.assignee_id == int(self.assignee)
        if self.sla_state:
            yield Ticket.sla_state == self.sla_state
        if self.first_response_state:
            yield Ticket.first_response_state == self.first_response_state
        if self.filed_from:
            yield Ticket.created_at >= local_midnight(self.filed_from)
        if self.filed_to:
            yield Ticket.created_at < local_midnight(self.filed_to + dt.timedelta(days=1))

    def order(self, default: str = "newest"):
        return SORTS[self.sort or default]()

    def query_args(self, **changes) -> dict:
        """The filters as query-string arguments (dates as dd/mm/yyyy), for links that keep the view."""
        args = {}
        for key in FILTER_KEYS:
            value = getattr(self, key)
            if isinstance(value, dt.date):
                value = value.strftime("%d/%m/%Y")
            if value:
                args[key] = value
        args.update(changes)
        return {k: v for k, v in args.items() if v}


def _id_of(model, code: str):
    """The id for a code, as a subquery: an unknown code matches nothing, and costs no extra round trip."""
    return select(model.id).where(model.code == code).scalar_subquery()


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


MAX_PAGE = 100_000  # far past any list; an offset beyond it would only overflow the database's integers


def _page_args(page: int | None):
    return {"page": min(max(page or 1, 1), MAX_PAGE), "per_page": current_app.config["PAGE_SIZE"],
            "error_out": False}


def _paginate(query, filters: TicketFilters, page: int | None, default_sort: str):
    return db.paginate(query.options(*LIST_LOADS).order_by(*filters.order(default_sort)), **_page_args(page))


def ticket_list(user: User, filters: TicketFilters, page: int | None = 1):
    """The general list: what the user may see, newest first unless sorted otherwise."""
    return _paginate(filters.apply(visible_tickets(user), user), filters, page, "newest")


def triage_queue(user: User, page: int | None = 1, filters: TicketFilters | None = None):
    """New tickets, oldest first."""
    filters = filters or TicketFilters()
    query = filters.apply(visible_tickets(user), user).where(Ticket.status == Status.NEW.value)
    return _paginate(query, filters, page, "age")


def unit_queue(user: User, unit: Unit, filters: TicketFilters, page: int | None = 1):
    """A unit's tickets, as lead or as coordinating unit; open ones unless a status is chosen."""
    filters = replace(filters, unit=None)  # the queue's unit, not a lead-unit filter that would drop coordination
    coordinating = select(ticket_units.c.ticket_id).where(ticket_units.c.unit_id == unit.id)
    query = filters.apply(visible_tickets(user), user).where(
        or_(Ticket.lead_unit_id == unit.id, Ticket.id.in_(coordinating)))
    if not filters.status:
        query = query.where(Ticket.status.in_(OPEN_VALUES))
    return _paginate(query, filters, page, "deadline")


def my_work(user: User, filters: TicketFilters, page: int | None = 1):
    """Việc của tôi: the open tickets assigned to the user."""
    query = filters.apply(visible_tickets(user), user).where(Ticket.assignee_id == user.id,
                                                             Ticket.status.in_(OPEN_VALUES))
    return _paginate(query, filters, page, "deadline")


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
