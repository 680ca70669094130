"""The tickets' data version and a small cache keyed by it (the dashboard's numbers).

Every transaction that writes tickets (an ORM flush, or an UPDATE/DELETE/INSERT statement on them) sets a
new random token in `data_versions` once, inside the same transaction; a reader keys what it computes from
tickets by the token it read, so a write anywhere — another worker, the scheduler — makes every process's
cached value miss. A random token rather than a counter: a table emptied and refilled (a test run, a
restore) never brings an old key back.
"""
from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from .extensions import db
from .models import DataVersion, Ticket

TICKETS = "tickets"
_BUMPED = "data_version_bumped"
_ENTRIES = 256
_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()


def current(name: str = TICKETS) -> str:
    """The token as this transaction sees it ("" before the first write)."""
    return db.session.scalar(select(DataVersion.token).where(DataVersion.name == name)) or ""


def bump(session: Session, name: str = TICKETS) -> None:
    """A new token, once per transaction (later writes of the same transaction are covered by it)."""
    if session.info.get(_BUMPED):
        return
    session.info[_BUMPED] = True
    token = uuid.uuid4().hex
    versions = DataVersion.__table__
    changed = session.execute(update(versions).where(versions.c.name == name).values(token=token)).rowcount
    if not changed:
        session.execute(insert(versions).values(name=name, token=token))


def cached(key: Hashable, compute: Callable[[], object]):
    """compute(), remembered in this process under (tickets' token, key) for the few most recent keys."""
    full = (current(), key)
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


def clear() -> None:
    with _lock:
        _cache.clear()


def _writes_tickets(session: Session) -> bool:
    return any(isinstance(o, Ticket) for o in (*session.new, *session.deleted)) or any(
        isinstance(o, Ticket) and session.is_modified(o) for o in session.dirty)


def _before_flush(session: Session, _context, _instances) -> None:
    if _writes_tickets(session):
        bump(session)


def _on_execute(state) -> None:
    if (state.is_update or state.is_delete or state.is_insert) and _targets_tickets(state.statement):
        bump(state.session)


def _targets_tickets(statement) -> bool:
    table = getattr(statement, "table", None)
    return getattr(table, "name", None) == Ticket.__tablename__


def _forget(session: Session, *_args) -> None:
    session.info.pop(_BUMPED, None)


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
