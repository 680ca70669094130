"""Idempotent POSTs: the first answer to a request sent with an `Idempotency-Key` is kept (per user, for a day),
so a client that retries after a lost answer gets that answer again instead of acting twice.

A key is claimed (a row without an answer) in its own transaction before the action runs: a second request
with the same key meanwhile is refused as in progress (the unique (user, key) decides, even across workers),
and the same key with another request is refused outright. A failed request releases its key.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .errors import DomainError
from .extensions import db
from .models import IdempotencyKey, User, utcnow

KEEP = dt.timedelta(hours=24)
KEY_MAX = 200
FIELD = "Idempotency-Key"
IN_PROGRESS = 0  # the status of a claimed key whose request has not answered yet


class KeyInUse(DomainError):
    """The key's first request is still running."""


def fingerprint(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def claim(user: User, key: str, request_print: str, now: dt.datetime | None = None) -> IdempotencyKey | None:
    """The stored answer of this key's first request, or None after claiming the key for this request.
    The caller commits."""
    now = now or utcnow()
    key = (key or "").strip()
    if not key or len(key) > KEY_MAX:
        raise DomainError(_l("The Idempotency-Key must have 1 to %(max)d characters.", max=KEY_MAX), FIELD)
    # Expired answers go as keys are used (anyone's: an index on expires_at finds them), so no job is needed.
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at < now))
    stored = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user.id,
                                                            IdempotencyKey.key == key))
    if stored is None:
        try:
            with db.session.begin_nested():
                db.session.add(IdempotencyKey(user_id=user.id, key=key, fingerprint=request_print,
                                              status=IN_PROGRESS, response="", created_at=now,
                                              expires_at=now + KEEP))
        except IntegrityError:
            raise KeyInUse(_in_progress(), FIELD) from None
        return None
    if stored.fingerprint != request_print:
        raise DomainError(_l("This Idempotency-Key was already used for another request: use a new key for a "
                             "new request."), FIELD)
    if stored.status == IN_PROGRESS:
        raise KeyInUse(_in_progress(), FIELD)
    return stored


def finish(user: User, key: str, status: int, body: str, location: str | None) -> None:
    """Keep the answer of the request that claimed `key` (the caller commits)."""
    stored = _claimed(user, key)
    if stored is not None:
        stored.status, stored.response, stored.location = status, body, (location or None) and location[:300]


def release(user: User, key: str) -> None:
    """The request failed and changed nothing: the key may be used again (the caller commits)."""
    stored = _claimed(user, key)
    if stored is not None:
        db.session.delete(stored)


def _claimed(user: User, key: str) -> IdempotencyKey | None:
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user.id,
                                                          IdempotencyKey.key == key.strip(),
                                                          IdempotencyKey.status == IN_PROGRESS))


def _in_progress():
    return _l("A request with this Idempotency-Key is still being processed: wait for its answer, then retry.")
