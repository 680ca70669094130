"""The search index: one document per ticket holding its folded words, kept in step by the application.

A document holds what the filing locality may read (title; description, legal basis, replies and answers;
never internal notes), so matching never reveals a note. The application writes documents in the
transaction that files a ticket, changes its text or adds a reply or an answer (noted at each flush,
written once before the commit or before a search reads); the database keeps the word index over them:
PostgreSQL a generated tsvector with a GIN index, SQLite an FTS5 table fed by triggers
(migrations/versions/systemic.py). Those objects are not in the models: `described_by_models` tells the
schema comparison and autogenerate to leave them alone.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import event, inspect, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ..enums import MessageKind
from ..extensions import db
from ..models import Message, SearchDocument, Ticket
from ..text import words

INDEXED_KINDS = (MessageKind.REPLY.value, MessageKind.ANSWER.value)
BODY_MAX = 200_000  # characters of words kept per document: a very long thread is still found by its start
FTS_TABLE = "search_fts"
TSV_INDEX = "ix_search_documents_tsv"
PENDING = "search_pending"  # session.info key: ids of tickets whose documents this transaction must rewrite
FRESH = "search_fresh"  # session.info key: the documents of tickets filed in this transaction, from the objects


def described_by_models(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's include_name: False for the word index objects the migration creates per database."""
    if type_ == "table":
        return not (name == FTS_TABLE or (name or "").startswith(f"{FTS_TABLE}_"))
    if type_ == "column":
        return not (parent_names.get("table_name") == "search_documents" and name == "tsv")
    if type_ == "index":
        return name != TSV_INDEX
    return True


def scope_tokens(locality_id: int, province_id: int) -> str:
    """The tokens that let the word index narrow a search to a commune ("l<id>") or a province ("p<id>")."""
    return f"l{locality_id} p{province_id}"


def document(ticket_id: int, title: str | None, parts: Iterable[str | None], locality_id: int,
             province_id: int) -> dict:
    return {"ticket_id": ticket_id, "title": " ".join(words(title)),
            "body": " ".join(words("\n".join(p or "" for p in parts)))[:BODY_MAX],
            "scope": scope_tokens(locality_id, province_id)}


def _documents(connection: Connection, ticket_condition, message_condition) -> list[dict]:
    tickets = connection.execute(select(Ticket.id, Ticket.title, Ticket.description, Ticket.legal_basis,
                                        Ticket.locality_id, Ticket.province_id)
                                 .where(ticket_condition).order_by(Ticket.id)).all()
    parts = {row.id: [row.description, row.legal_basis] for row in tickets}
    messages = connection.execute(select(Message.ticket_id, Message.body)
                                  .where(message_condition, Message.kind.in_(INDEXED_KINDS))
                                  .order_by(Message.ticket_id, Message.created_at, Message.id))
    for ticket_id, body in messages:
        if ticket_id in parts:
            parts[ticket_id].append(body)
    return [document(row.id, row.title, parts[row.id], row.locality_id, row.province_id) for row in tickets]


def _upsert(dialect):
    """Insert or replace; an unchanged document is not rewritten (its words stay as they are)."""
    table = SearchDocument.__table__
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.ticket_id],
        set_={name: statement.excluded[name] for name in ("title", "body", "scope")},
        where=or_(*(table.c[name] != statement.excluded[name] for name in ("title", "body", "scope"))))


_UPSERT = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}  # built once: every filing writes one


def _write(connection: Connection, documents: list[dict]) -> None:
    if documents:
        connection.execute(_UPSERT[connection.dialect.name], documents)


def index_tickets(connection: Connection, ids: Iterable[int]) -> None:
    ids = sorted(set(ids))
    if ids:
        _write(connection, _documents(connection, Ticket.id.in_(ids), Message.ticket_id.in_(ids)))


def reindex(progress: Callable[[int], None] = lambda _n: None, batch: int = 2000) -> int:
    """Rebuild every ticket's document, a batch of ids at a time, committing each batch (safe while the
    application runs: a document is replaced in place, never missing)."""
    last, done = 0, 0
    while True:
        ids = db.session.scalars(select(Ticket.id).where(Ticket.id > last).order_by(Ticket.id).limit(batch)).all()
        if not ids:
            return done
        connection = db.session.connection()
        _write(connection, _documents(connection, Ticket.id.between(ids[0], ids[-1]),
                                      Message.ticket_id.between(ids[0], ids[-1])))
        db.session.commit()
        last, done = ids[-1], done + len(ids)
        progress(len(ids))


def _changed(obj, *names: str) -> bool:
    attributes = inspect(obj).attrs
    return any(attributes[name].history.has_changes() for name in names)


def changed_ticket_ids(session) -> set[int]:
    """The tickets whose searchable text this flush wrote: new tickets, changed text, new replies."""
    ids = set()
    for obj in session.new:
        if isinstance(obj, Ticket):
            ids.add(obj.id)
        elif isinstance(obj, Message) and obj.kind in INDEXED_KINDS:
            ids.add(obj.ticket_id)
    for obj in session.dirty:
        if isinstance(obj, Ticket) and _changed(obj, "title", "description", "legal_basis", "locality_id",
                                                "province_id"):
            ids.add(obj.id)
        elif isinstance(obj, Message) and _changed(obj, "body", "kind"):
            ids.add(obj.ticket_id)
    return ids


@event.listens_for(db.session, "after_flush")
def _note_changes(session, _flush_context):
    """Every flush that changes searchable text marks those tickets; their documents are written once per
    transaction (before it commits, or before a search reads the index: catch_up)."""
    ids = changed_ticket_ids(session)
    if ids:
        session.info.setdefault(PENDING, set()).update(ids)
        _note_fresh(session, ids)


def _note_fresh(session, ids: set[int]) -> None:
    """A ticket filed by this flush, with no reply yet: its document is made from the object in hand (filing
    then writes it without reading the ticket and its messages back). Any later change reads it again."""
    fresh = session.info.setdefault(FRESH, {})
    filed = {obj.id: obj for obj in session.new if isinstance(obj, Ticket)}
    replied = {obj.ticket_id for obj in session.new if isinstance(obj, Message)}
    for ticket_id in ids:
        ticket = filed.get(ticket_id)
        if ticket is not None and ticket_id not in replied:
            fresh[ticket_id] = document(ticket.id, ticket.title, [ticket.description, ticket.legal_basis],
                                        ticket.locality_id, ticket.province_id)
        else:
            fresh.pop(ticket_id, None)


def catch_up(session=None) -> None:
    """Write the documents this transaction changed: a search then sees its own transaction's changes."""
    session = session or db.session
    session.flush()
    ids = session.info.pop(PENDING, None)
    fresh = session.info.pop(FRESH, {})
    if ids:
        connection = session.connection()
        _write(connection, [fresh[i] for i in sorted(ids) if i in fresh])
        index_tickets(connection, [i for i in ids if i not in fresh])


@event.listens_for(db.session, "before_commit")
def _write_before_commit(session):
    catch_up(session)


@event.listens_for(db.session, "after_soft_rollback")
def _forget_after_rollback(session, _previous_transaction):
    session.info.pop(PENDING, None)
    session.info.pop(FRESH, None)
