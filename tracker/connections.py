"""Round trips to PostgreSQL that a request does not need.

A page kept by this process (views/pages) costs one statement: the session's user with the data versions. On
PostgreSQL that statement used to cost four round trips: the pool's ping, psycopg's BEGIN, the statement and the
ROLLBACK when the request ended. SQLite pays none of them (its driver begins a transaction only before a write),
which made PostgreSQL the slower of the two on every kept page. Two rules bring it to one round trip:

- `first_row` runs a request's opening read outside a transaction. Under READ COMMITTED (PostgreSQL's default,
  kept here) every statement takes its own snapshot anyway, so the read sees what it would have seen as the
  transaction's first statement; the statements after it begin the transaction as before, so writes stay
  atomic. A request that runs nothing else never opens a transaction, and psycopg's rollback of an idle
  connection sends nothing.
- `ping_when_idle` pings a pooled connection only when it sat unused for IDLE_PING_SECONDS (SQLAlchemy's
  pool_pre_ping pings at every checkout). After a database restart, a connection idle for longer is pinged,
  fails and is replaced unseen; one used within that second fails the one request that takes it, and SQLAlchemy
  then drops every connection the pool made before (its disconnect handling): a request in flight during a
  restart fails anyway.
"""
from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

from .extensions import db

IDLE_PING_SECONDS = 1.0
_CHECKED_IN = "checked_in_at"


def first_row(statement, params: dict):
    """statement's first row, read outside a transaction when the session has none open yet (PostgreSQL)."""
    dbapi_connection = db.session.connection().connection.dbapi_connection
    if not _idle_psycopg(dbapi_connection):
        return db.session.execute(statement, params).first()
    dbapi_connection.autocommit = True
    try:
        return db.session.execute(statement, params).first()  # psycopg has the whole result before returning
    finally:
        dbapi_connection.autocommit = False


def _idle_psycopg(dbapi_connection) -> bool:
    """A psycopg connection with no transaction open (sqlite3 begins none for a read: nothing to save)."""
    info = getattr(dbapi_connection, "info", None)
    status = getattr(info, "transaction_status", None)
    return status is not None and status.name == "IDLE" and dbapi_connection.autocommit is False


def ping_when_idle(engine: Engine) -> None:
    """Ping a connection at checkout only when it was idle for IDLE_PING_SECONDS; a failed ping makes the pool
    throw it away and take another (SQLAlchemy's pessimistic disconnect handling, raised from `checkout`)."""

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection, record):
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        if record is not None:
            record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        if time.monotonic() - record.info.get(_CHECKED_IN, 0.0) < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("the database closed an idle connection") from error
