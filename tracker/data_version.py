"""Data versions: the tickets' (the dashboard's numbers) and the reference data's (what filing reads).

Every transaction that writes tickets, their messages, events, files or links, or systemic issues (an ORM
flush, or an UPDATE/DELETE/INSERT statement on them: an obstacle's page shows them all; lists show an issue's
code and size beside its obstacles, triage its open issues) sets a
new random token in `data_versions` once, inside the same transaction; a reader keys what it computes from
tickets by the token it read, so a write anywhere — another worker, the scheduler — makes every process's
cached value miss. A random token rather than a counter: a table emptied and refilled (a test run, a
restore) never brings an old key back.

Saved views have a token of their own (any user's change of one sets it): a queue page shows its user's
views from this process's copy, read under the token that came with the user.

The reference data (categories, SLA policies, the calendar's overrides, routing rules) has its own token,
set anew by every flush or statement that changes it (a routing rule's round-robin turn excepted). Filing
reads it once per transaction (`seen`) and takes those rows from this process's copy made under that token
(`reference_cached`): one statement instead of one per table. Data changed outside the application (SQL by
hand, a migration) is seen after a restart.
"""
from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable

from sqlalchemy import bindparam, event, insert, inspect, select, update
from sqlalchemy.orm import Session

from .extensions import db
from .models import (
    Attachment,
    CalendarOverride,
    Category,
    DataVersion,
    Event,
    Message,
    RoutingRule,
    SavedView,
    SlaPolicy,
    SystemicIssue,
    Ticket,
    TicketLink,
)

TICKETS = "tickets"
REFERENCE = "reference"
VIEWS = "saved_views"  # every user's saved views: a queue page shows its user's without a statement
REFERENCE_MODELS = (Category, SlaPolicy, CalendarOverride, RoutingRule)
_REFERENCE_TABLES = frozenset(model.__tablename__ for model in REFERENCE_MODELS)
_NOT_REFERENCE = {RoutingRule: frozenset({"last_assignee_id"})}  # written by filing itself (round robin)
_TICKETS_MODELS = (Ticket, Message, Event, Attachment, TicketLink, SystemicIssue)
_TICKETS_TABLES = frozenset(model.__tablename__ for model in _TICKETS_MODELS)
_BUMPED = "data_version_bumped"
_SEEN = "data_version_seen"
_ENTRIES = 256
_cache: OrderedDict = OrderedDict()
_reference: dict[Hashable, tuple[str, object]] = {}
_lock = threading.Lock()


_versions = DataVersion.__table__
# Built once: they run with every filing and every write of tickets.
_READ = select(_versions.c.token).where(_versions.c.name == bindparam("name"))  # Core: no ORM result to build
_SET = update(_versions).where(_versions.c.name == bindparam("version_name")).values(token=bindparam("token"))
_ADD = insert(_versions).values(name=bindparam("version_name"), token=bindparam("token"))


def current(name: str = TICKETS) -> str:
    """The token as this transaction sees it ("" before the first write)."""
    return db.session.scalar(_READ, {"name": name}) or ""


def seen(name: str = REFERENCE) -> str:
    """The token, read once per transaction (pending changes of the reference data are flushed first)."""
    session = db.session()
    if session.autoflush and _writes_reference(session):
        session.flush()
    tokens = session.info.setdefault(_SEEN, {})
    if name not in tokens:
        tokens[name] = current(name)
    return tokens[name]


READ_ALONG = (TICKETS, REFERENCE, VIEWS)


def read_along() -> list:
    """The tokens (READ_ALONG) as columns to add to a statement every request runs anyway (the session's user,
    an API token): with `known`, a request reads its versions in no statement of their own."""
    return [select(_versions.c.token).where(_versions.c.name == name).scalar_subquery().label(f"{name}_version")
            for name in READ_ALONG]


def known(*tokens: str | None) -> None:
    """The tokens `read_along` brought, in its order, as this transaction's (a token this transaction set stays)."""
    seen_tokens = db.session().info.setdefault(_SEEN, {})
    for name, token in zip(READ_ALONG, tokens, strict=True):
        seen_tokens.setdefault(name, token or "")


def bump(session: Session, name: str = TICKETS, once: bool = True) -> None:
    """A new token (once per transaction unless `once` is False: later writes of it are covered by it)."""
    bumped = session.info.setdefault(_BUMPED, set())
    if once and name in bumped:
        return
    bumped.add(name)
    token = uuid.uuid4().hex
    if not session.execute(_SET, {"version_name": name, "token": token}).rowcount:
        session.execute(_ADD, {"version_name": name, "token": token})
    session.info.setdefault(_SEEN, {})[name] = token


def reference_cached(key: Hashable, compute: Callable[[], object]):
    """compute() — a read of reference data — kept in this process under the reference token this transaction
    sees; the token is read before the rows, so a value is never older than its token."""
    token = seen(REFERENCE)
    entry = _reference.get(key)
    if entry is not None and entry[0] == token:
        return entry[1]
    value = compute()
    _reference[key] = (token, value)
    return value


def cached(key: Hashable, compute: Callable[[], object], name: str = TICKETS):
    """compute(), remembered in this process under (the token `name`, key) for the few most recent keys."""
    full = (name, seen(name), key)
    with _lock:
        if full in _cache:
            _cache.move_to_end(full)
            return _cache[full]
    value = compute()
    with _lock:
        _cache[full] = value
        while len(_cache) > _ENTRIES:
            _cache.popitem(last=False)
    return value


def clear(reference: bool = True) -> None:
    """Forget what this process keeps: what is keyed by the tickets' version, and (`reference`) the reference
    data's copies."""
    with _lock:
        _cache.clear()
    if reference:
        _reference.clear()


def _writes_tickets(session: Session) -> bool:
    return any(isinstance(o, _TICKETS_MODELS) for o in (*session.new, *session.deleted)) or any(
        isinstance(o, _TICKETS_MODELS) and session.is_modified(o) for o in session.dirty)


def _writes_reference(session: Session) -> bool:
    return any(isinstance(o, REFERENCE_MODELS) for o in (*session.new, *session.deleted)) or any(
        isinstance(o, REFERENCE_MODELS) and _changed(o) for o in session.dirty)


def _changed(obj) -> bool:
    ignored = _NOT_REFERENCE.get(type(obj), ())
    attributes = inspect(obj).attrs
    return any(attr.key not in ignored and attr.history.has_changes() for attr in attributes)


def _before_flush(session: Session, _context, _instances) -> None:
    if _writes_tickets(session):
        bump(session)
    if _writes_reference(session):
        bump(session, REFERENCE, once=False)
    if any(isinstance(o, SavedView) for o in (*session.new, *session.deleted, *session.dirty)):
        bump(session, VIEWS)


def _on_execute(state) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if table in _TICKETS_TABLES:
            bump(state.session)
        elif table in _REFERENCE_TABLES:
            bump(state.session, REFERENCE, once=False)
        elif table == SavedView.__tablename__:
            bump(state.session, VIEWS)


def _forget(session: Session, *_args) -> None:
    session.info.pop(_BUMPED, None)


def _forget_seen(session: Session, transaction) -> None:
    """The transaction (or a savepoint) ended; a flush's own inner transaction is not one."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(_SEEN, None)


_installed = False


def install() -> None:
    """Listen on every session (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "do_orm_execute", _on_execute)
    for name in ("after_commit", "after_rollback", "after_soft_rollback"):
        event.listen(Session, name, _forget)
    event.listen(Session, "after_transaction_end", _forget_seen)
