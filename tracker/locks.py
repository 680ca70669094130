"""A database lease so that one process at a time runs a job, across workers and hosts."""
from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from contextlib import contextmanager

from sqlalchemy import text

from .extensions import db
from .models import utcnow

PROCESS_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(name: str, ttl: dt.timedelta, holder: str = PROCESS_ID, now: dt.datetime | None = None) -> bool:
    """Take the lease if it is free or expired (compare-and-set); commits so others see it at once."""
    now = now or utcnow()
    until = now + ttl
    bind = {"name": name, "holder": holder, "until": _param(until), "now": _param(now)}
    db.session.execute(text("INSERT INTO job_locks (name) VALUES (:name) ON CONFLICT (name) DO NOTHING"),
                       {"name": name})
    taken = db.session.execute(
        text("UPDATE job_locks SET holder = :holder, locked_until = :until WHERE name = :name "
             "AND (locked_until IS NULL OR locked_until < :now OR holder = :holder)"), bind,
    ).rowcount
    db.session.commit()
    return taken == 1


def release(name: str, holder: str = PROCESS_ID) -> None:
    db.session.rollback()
    db.session.execute(text("UPDATE job_locks SET locked_until = NULL WHERE name = :name AND holder = :holder"),
                       {"name": name, "holder": holder})
    db.session.commit()


@contextmanager
def held(name: str, ttl: dt.timedelta = dt.timedelta(minutes=10)):
    """Run the block only if this process got the lease; yields whether it did."""
    got = acquire(name, ttl)
    try:
        yield got
    finally:
        if got:
            release(name)


def _param(value: dt.datetime):
    """Bind datetimes as the UTCDateTime column stores them on each database."""
    if db.engine.dialect.name == "sqlite":
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    return value
