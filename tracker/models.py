"""The data model: localities, units, categories, users, tickets and their history."""
from __future__ import annotations

import datetime as dt
import json

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from .citations import cited_document
from .enums import (
    URGENCY_RANK,
    AuditAction,
    Channel,
    Delivery,
    LocalityLevel,
    MessageKind,
    OutboxStatus,
    RequestedUrgency,
    Role,
    SlaState,
    Status,
    SystemicStatus,
    TokenScope,
    Urgency,
)
from .extensions import db
from .passwords import normalise as normalise_password
from .text import fold


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware one")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Locality(db.Model):
    __tablename__ = "localities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(10))
    division_type: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("localities.id"), index=True)
    # fold(name), kept in step by _sync_name_folded: pickers find "Phường Hoàn Kiếm" when one types "hoan kiem".
    name_folded: Mapped[str] = mapped_column(String(120), default="", server_default="")

    parent: Mapped[Locality | None] = relationship(remote_side=[id])

    @validates("name")
    def _sync_name_folded(self, _key, value):
        self.name_folded = fold(value)
        return value

    @property
    def is_province(self) -> bool:
        return self.level == LocalityLevel.PROVINCE

    @property
    def province(self) -> Locality:
        return self if self.is_province else self.parent

    @property
    def province_id(self) -> int:
        return self.id if self.is_province else self.parent_id

    def __str__(self) -> str:
        return self.name


class Unit(db.Model):
    """A handling unit: a department of the ministry or another ministry."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    is_external: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str | None] = mapped_column(String(254))

    def __str__(self) -> str:
        return self.name


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    default_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    default_unit: Mapped[Unit | None] = relationship()

    def __str__(self) -> str:
        return self.name


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(20), index=True)
    locality_id: Mapped[int | None] = mapped_column(ForeignKey("localities.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    is_unit_head: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the id every session cookie carries (get_id): raising it ends all of the user's sessions.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    locality: Mapped[Locality | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    # The bell's unread count, when the request loaded it with the user (web.user_for_session); else None.
    unread_loaded: Mapped[int | None] = query_expression()

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What the session stores: a cookie from before the version was raised names no one any more."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Every session cookie issued so far stops working (logout, new password, deactivation, new role)."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        """Hash the password as NFC (passwords.normalise), ending the sessions opened with the old one; the
        policy is checked by the domain before."""
        self.password_hash = generate_password_hash(normalise_password(password))
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, normalise_password(password))

    def __str__(self) -> str:
        return self.name or self.email


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # "read": GET only (403 on writes); "write": every call the user's role allows.
    scope: Mapped[str] = mapped_column(String(10), default=TokenScope.WRITE.value,
                                       server_default=TokenScope.WRITE.value)

    user: Mapped[User] = relationship()

    def usable(self, now: dt.datetime) -> bool:
        """Neither revoked nor expired (the user's own state is checked apart)."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE


class IdempotencyKey(db.Model):
    """The first answer to a POST sent with an `Idempotency-Key` header, kept until it expires, so a retried
    request gets it again instead of acting twice."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))  # the method, path and body the key was first sent with
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)  # the JSON body answered
    location: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class SavedView(db.Model):
    """A queue's filters kept under a name by one user: a query string, so its link can be shared."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    page: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class TicketSequence(db.Model):
    """The per-year counter behind references like PUN-2026-000123."""

    __tablename__ = "ticket_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


KPI_KEYS = ("category_id", "province_id", "locality_id", "lead_unit_id", "assignee_id")


SLA_SORT = ("CASE sla_state WHEN 'breached' THEN 0 WHEN 'at_risk' THEN 2 WHEN 'on_track' THEN 4 ELSE 6 END"
            " + CASE WHEN answer_due_at IS NULL THEN 1 ELSE 0 END")


def next_crossing(state: str, at_risk: str, due: str) -> str:
    """The moment a running clock's state next changes (on track: the earlier of its at-risk moment and its
    deadline; at risk: its deadline), NULL while it is paused, breached or finished: the SLA sweep reads the
    rows whose moment has come by index, whatever the number of obstacles."""
    return (f"CASE WHEN paused_at IS NOT NULL THEN NULL "
            f"WHEN {state} = 'on_track' THEN CASE WHEN {at_risk} IS NULL THEN {due} "
            f"WHEN {due} IS NULL OR {at_risk} <= {due} THEN {at_risk} ELSE {due} END "
            f"WHEN {state} = 'at_risk' THEN {due} END")


ANSWER_NEXT = next_crossing("sla_state", "at_risk_at", "answer_due_at")
FIRST_RESPONSE_NEXT = next_crossing("first_response_state", "first_response_at_risk_at", "first_response_due_at")


class Ticket(db.Model):
    """An obstacle (kiến nghị) filed by a locality."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("year", "seq"),
        Index("ix_tickets_created_at_id", "created_at", "id"),
        Index("ix_tickets_updated_at_id", "updated_at", "id"),  # the API's sync order (updated_since, cursors)
        Index("ix_tickets_status_created_at", "status", "created_at"),
        Index("ix_tickets_locality_created_at", "locality_id", "created_at"),
        Index("ix_tickets_province_created_at", "province_id", "created_at"),
        Index("ix_tickets_lead_unit_status", "lead_unit_id", "status"),
        Index("ix_tickets_assignee_status", "assignee_id", "status"),
        Index("ix_tickets_sla_state_answer_due", "sla_state", "answer_due_at"),
        Index("ix_tickets_category_created_at", "category_id", "created_at"),
        Index("ix_tickets_urgency_rank_created_at", "urgency_rank", "created_at"),
        Index("ix_tickets_answer_due_at", "answer_due_at"),
        Index("ix_tickets_sla_state_at_risk", "sla_state", "at_risk_at"),
        Index("ix_tickets_first_response_state_at_risk", "first_response_state", "first_response_at_risk_at"),
        Index("ix_tickets_first_response_state_due", "first_response_state", "first_response_due_at"),
        # The dashboard (stats.py) reads its counts from these alone (index-only scans): what is open, and what
        # was filed, answered, first-responded or due in a period, with the columns it groups and counts by.
        Index("ix_tickets_kpi_open", "status", *KPI_KEYS, "sla_state", "answer_due_at", "outcome", "created_at"),
        Index("ix_tickets_kpi_created", "created_at", *KPI_KEYS),
        Index("ix_tickets_kpi_answered", "answered_at", "answer_due_at", *KPI_KEYS, "rating", "outcome", "status",
              "answer_working_seconds"),
        Index("ix_tickets_kpi_responded", "first_responded_at", "first_response_due_at", *KPI_KEYS),
        Index("ix_tickets_kpi_due", "answer_due_at", "answered_at", "closed_at", "sla_state", *KPI_KEYS),
        Index("ix_tickets_outcome_answered_at", "outcome", "answered_at"),
        # A locality's lists and their status tabs: its own rows of one status, newest first, without walking
        # every obstacle of that status in the country.
        Index("ix_tickets_locality_status_created_at", "locality_id", "status", "created_at"),
        Index("ix_tickets_province_status_created_at", "province_id", "status", "created_at"),
        Index("ix_tickets_sla_sort", "sla_sort", "answer_due_at", "id"),
        Index("ix_tickets_answer_next_at", "answer_next_at", "id"),
        # The main obstacles a locality follows (permissions.followed_main_ids), read on every page of theirs:
        # only merged obstacles are indexed, so a province reads its few duplicates, not its every obstacle.
        Index("ix_tickets_locality_duplicate_of", "locality_id", "duplicate_of_id",
              postgresql_where=text("duplicate_of_id IS NOT NULL"), sqlite_where=text("duplicate_of_id IS NOT NULL")),
        Index("ix_tickets_province_duplicate_of", "province_id", "duplicate_of_id",
              postgresql_where=text("duplicate_of_id IS NOT NULL"), sqlite_where=text("duplicate_of_id IS NOT NULL")),
        Index("ix_tickets_first_response_next_at", "first_response_next_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    locality_id: Mapped[int] = mapped_column(ForeignKey("localities.id"))
    # Denormalised so a province's list is one indexed range, not a join over 3,321 communes.
    province_id: Mapped[int] = mapped_column(ForeignKey("localities.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    title: Mapped[str] = mapped_column(String(300))
    # fold(title), kept in step by _sync_title_folded: accent-insensitive title search on every database.
    title_folded: Mapped[str] = mapped_column(String(300), default="", server_default="")
    description: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    # The first document the legal basis cites (citations.cited_document), kept in step by _sync_legal_document:
    # the policy list groups and filters on it.
    legal_document: Mapped[str] = mapped_column(String(120), default="", server_default="")
    requested_urgency: Mapped[str] = mapped_column(String(10), default=RequestedUrgency.NORMAL.value)
    urgency: Mapped[str] = mapped_column(String(20), default=Urgency.THUONG.value, index=True)
    # URGENCY_RANK of urgency, kept in step by _sync_urgency_rank, so queues sort by urgency on an index.
    urgency_rank: Mapped[int] = mapped_column(Integer, default=URGENCY_RANK[Urgency.THUONG], server_default="3")
    status: Mapped[str] = mapped_column(String(20), default=Status.NEW.value)
    paused_status: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20), default=Channel.WEB.value)
    incoming_doc_number: Mapped[str | None] = mapped_column(String(100))
    incoming_doc_date: Mapped[dt.date | None] = mapped_column(Date)

    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    routing_rule_id: Mapped[int | None] = mapped_column(ForeignKey("routing_rules.id"))

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    first_response_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answer_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    explicit_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sla_state: Mapped[str] = mapped_column(String(10), default=SlaState.ON_TRACK.value)
    # "Deadline state (overdue first)" as a stored, indexed sort key, computed by the database from the state
    # (breached, at risk, on track, finished) and whether there is a deadline (none last within a state).
    sla_sort: Mapped[int | None] = mapped_column(Integer, Computed(SLA_SORT, persisted=True))
    # When each clock's state next changes (next_crossing), computed by the database: the sweep's index.
    answer_next_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, Computed(ANSWER_NEXT, persisted=True))
    first_response_next_at: Mapped[dt.datetime | None] = mapped_column(
        UTCDateTime, Computed(FIRST_RESPONSE_NEXT, persisted=True))
    # When 75 % of the answer budget is used: the sweep finds tickets crossing it by index.
    at_risk_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The first response's own state and at-risk moment, swept like the answer's (by index on each pair).
    first_response_state: Mapped[str] = mapped_column(String(10), default=SlaState.ON_TRACK.value,
                                                      server_default=SlaState.ON_TRACK.value)
    first_response_at_risk_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Working time spent awaiting the locality, in seconds: deadlines move by it.
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Working time from filing to the answer, less the time paused: the dashboard's median time to answer.
    answer_working_seconds: Mapped[int | None] = mapped_column(Integer)

    outcome: Mapped[str | None] = mapped_column(String(30))
    reply_doc_number: Mapped[str | None] = mapped_column(String(100))
    reply_doc_date: Mapped[dt.date | None] = mapped_column(Date)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    systemic_issue_id: Mapped[int | None] = mapped_column(ForeignKey("systemic_issues.id"), index=True)
    transferred_to: Mapped[str | None] = mapped_column(String(200))
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)

    locality: Mapped[Locality] = relationship(foreign_keys=[locality_id])
    province: Mapped[Locality] = relationship(foreign_keys=[province_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    category: Mapped[Category] = relationship()
    lead_unit: Mapped[Unit | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    duplicate_of: Mapped[Ticket | None] = relationship(remote_side=[id])
    systemic_issue: Mapped[SystemicIssue | None] = relationship(back_populates="tickets")
    coordinating_units: Mapped[list[Unit]] = relationship(secondary="ticket_units")
    # Every file of the obstacle and of its messages (read-only: files are added through Attachment.ticket_id).
    attachments: Mapped[list[Attachment]] = relationship(viewonly=True, order_by="Attachment.id")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once, at mapping

    @validates("title")
    def _sync_title_folded(self, _key, value):
        self.title_folded = fold(value)
        return value

    @validates("legal_basis")
    def _sync_legal_document(self, _key, value):
        self.legal_document = cited_document(value)
        return value

    @validates("urgency")
    def _sync_urgency_rank(self, _key, value):
        self.urgency_rank = URGENCY_RANK.get(value, URGENCY_RANK[Urgency.THUONG])
        return value

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def urgency_enum(self) -> Urgency:
        return Urgency(self.urgency)

    @property
    def is_open(self) -> bool:
        return self.status_enum.is_open


ticket_units = db.Table(
    "ticket_units",
    db.Column("ticket_id", ForeignKey("tickets.id"), primary_key=True),
    db.Column("unit_id", ForeignKey("units.id"), primary_key=True, index=True),
)


class TicketLink(db.Model):
    """Two related tickets (stored once, lower id first)."""

    __tablename__ = "ticket_links"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True, index=True)


class Message(db.Model):
    """A reply the locality sees, or an internal note only the team sees."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_ticket_created_at", "ticket_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(10), default=MessageKind.REPLY.value)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="message")

    @property
    def is_internal(self) -> bool:
        return self.kind == MessageKind.NOTE


class Event(db.Model):
    """One change in a ticket's history: who, when, what changed from what to what."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_ticket_created_at", "ticket_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    message: Mapped[Message | None] = relationship(back_populates="attachments")


class RoutingRule(db.Model):
    """Ordered rule: category and/or province (and optionally a title keyword) → lead unit."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("localities.id"))
    keyword: Mapped[str | None] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    strategy: Mapped[str] = mapped_column(String(20), default="none")
    last_assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    category: Mapped[Category | None] = relationship()
    province: Mapped[Locality | None] = relationship()
    unit: Mapped[Unit] = relationship()


class SlaPolicy(db.Model):
    """Targets in working hours per urgency, optionally overridden per category."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("urgency", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    urgency: Mapped[str] = mapped_column(String(20))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    first_response_hours: Mapped[int] = mapped_column(Integer)
    answer_hours: Mapped[int] = mapped_column(Integer)

    category: Mapped[Category | None] = relationship()


class CalendarOverride(db.Model):
    """A date the government declares a day off, or a working day."""

    __tablename__ = "calendar_overrides"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200), default="")


class OutboxMessage(db.Model):
    """An email waiting to go, written in the transaction of the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Chosen at enqueue and sent on every attempt, so a resend after a crash is recognisably the same message.
    message_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Notification(db.Model):
    """One event for one person: the in-app list, and the email it gets (at once, batched, daily, or none).

    `email_due_at` is set while an email is owed (the batching job takes rows whose moment has come, by index)
    and cleared once an email carried it (`email_key` names that outbox message).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read_at", "user_id", "read_at"),
        Index("ix_notifications_user_created_at", "user_id", "created_at"),
        Index("ix_notifications_email_due_at", "email_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    deadline: Mapped[str | None] = mapped_column(String(30))  # Deadline of an SLA crossing
    delivery: Mapped[str] = mapped_column(String(10), default=Delivery.IMMEDIATE.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    email_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    email_key: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()
    ticket: Mapped[Ticket | None] = relationship()


class NotificationPreference(db.Model):
    """A user's choice for one kind of notification; without a row, the role's default applies."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(10))


class JobLock(db.Model):
    """A lease that lets one process at a time run a scheduled job."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(db.Model):
    """One line of the audit trail (audit.py writes it): who, when, what, to what, from which address.

    Append-only: the ORM refuses to change or delete an entry (audit.py), and the database refuses updates.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_created_at_id", "created_at", "id"),
        Index("ix_audit_log_actor_email_created_at", "actor_email", "created_at"),
        Index("ix_audit_log_action_created_at", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The actor's email at the time; for a failed login, the email that was typed.
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(45))  # IPv4 or IPv6 of the request; None from the CLI
    details: Mapped[str | None] = mapped_column(Text)  # JSON, never a secret

    actor: Mapped[User | None] = relationship()

    @property
    def action_enum(self) -> AuditAction | None:
        return AuditAction(self.action) if self.action in set(AuditAction) else None

    @property
    def details_dict(self) -> dict:
        return json.loads(self.details) if self.details else {}


class LoginFailure(db.Model):
    """A failed sign-in: counted per account and per (account, address) to slow guessing (signin.py)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_failed_at", "email", "failed_at"),
        Index("ix_login_failures_failed_at", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  # as typed, normalised: unknown accounts count the same
    address: Mapped[str] = mapped_column(String(45))
    failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FormSubmission(db.Model):
    """A filing form's one-time token (issued with the form), and the obstacle it filed: the same form
    sent twice answers with this obstacle instead of filing another. The key is unique across workers."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket | None] = relationship()


# Systemic issues, search and published guidance (issue 10).

class SearchDocument(db.Model):
    """A ticket's searchable text as folded words (text.words), kept in step by search/index.py.

    Only what the filing locality may read is here: title, description, legal basis, replies and answers,
    never internal notes. The word index over it is database-specific and lives outside these models
    (search/index.py OUTSIDE_THE_MODELS): a generated tsvector with a GIN index on PostgreSQL, an FTS5
    table on SQLite.
    """

    __tablename__ = "search_documents"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # "l<locality id> p<province id>": the word index intersects a locality's scope with the words itself,
    # so a province's search for a frequent word reads its own matches only (search/query.py).
    scope: Mapped[str] = mapped_column(String(40), default="")


class SystemicSequence(db.Model):
    """The per-year counter behind codes like VDC-2026-0001."""

    __tablename__ = "systemic_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class SystemicIssue(db.Model):
    """A systemic issue (vấn đề chung): many localities' obstacles about one thing, answered once."""

    __tablename__ = "systemic_issues"
    __table_args__ = (UniqueConstraint("year", "seq"), Index("ix_systemic_issues_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default=SystemicStatus.OPEN.value, index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How many obstacles are linked and from how many localities: kept by systemic.py on link and unlink,
    # so lists and reports show "N localities asked" without counting.
    ticket_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reporter_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    answer: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(30))
    reply_doc_number: Mapped[str | None] = mapped_column(String(100))
    reply_doc_date: Mapped[dt.date | None] = mapped_column(Date)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    category: Mapped[Category | None] = relationship()
    lead_unit: Mapped[Unit | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    tickets: Mapped[list[Ticket]] = relationship(back_populates="systemic_issue", order_by="Ticket.id")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once, at mapping

    @property
    def status_enum(self) -> SystemicStatus:
        return SystemicStatus(self.status)

    @property
    def is_answered(self) -> bool:
        return self.status == SystemicStatus.ANSWERED


class Guidance(db.Model):
    """Published guidance (hướng dẫn đã công bố): an answered question, anonymised, public without login."""

    __tablename__ = "guidance"
    __table_args__ = (Index("ix_guidance_withdrawn_at_published_at", "withdrawn_at", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    reply_doc_number: Mapped[str | None] = mapped_column(String(100))
    reply_doc_date: Mapped[dt.date | None] = mapped_column(Date)
    source_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    source_issue_id: Mapped[int | None] = mapped_column(ForeignKey("systemic_issues.id"), index=True)
    names_kept: Mapped[bool] = mapped_column(Boolean, default=False)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The folded words of title, question, answer and legal basis between spaces (" a b c "): a word is
    # found with LIKE '% word %', exactly, on both databases. Guidance is a few thousand rows at most.
    search_text: Mapped[str] = mapped_column(Text, default="")

    category: Mapped[Category | None] = relationship()
    source_ticket: Mapped[Ticket | None] = relationship()
    source_issue: Mapped[SystemicIssue | None] = relationship()
    published_by: Mapped[User] = relationship()

    @property
    def is_published(self) -> bool:
        return self.withdrawn_at is None


class DataVersion(db.Model):
    """A token that changes with every write to a kind of data ("tickets"): caches of what is computed from
    that data (the dashboard's numbers) are keyed by it, so a write makes them miss on every process."""

    __tablename__ = "data_versions"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
