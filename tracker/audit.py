"""The audit trail: who did what, to what, when and from which address. Append-only, and never a secret.

`record` is the one way in. Domain functions call it in the transaction of the change they make, so a
refused change leaves no entry and a saved one always has its entry. Who: the actor passed in, else the
signed-in user of the request, else nobody (the CLI, scheduled jobs). Where from: the request's client
address (behind a proxy, see TRUSTED_PROXY_COUNT), else nothing.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.orm import joinedload

from .enums import AuditAction
from .extensions import db
from .localtime import local_midnight
from .models import AuditEntry, User, utcnow

SECRET_WORDS = ("password", "token", "secret", "hash", "csrf")
VALUE_MAX = 300
TARGET_MAX = 300


class SecretInAudit(ValueError):
    """A caller tried to log something secret: a programming error, never shown to users."""


def record(action: AuditAction, *, actor: User | None = None, email: str | None = None, target=None,
           details: dict | None = None, now: dt.datetime | None = None) -> AuditEntry:
    """Add one entry (the caller commits). `target` is a row (described by `describe`) or a short text."""
    action = AuditAction(action)
    actor = actor if actor is not None else _request_user()
    entry = AuditEntry(created_at=now or utcnow(), actor_id=actor.id if actor is not None else None,
                       actor_email=((actor.email if actor is not None else email) or "").strip().lower()[:254] or None,
                       action=action.value, target=_text(describe(target), TARGET_MAX),
                       address=_address(), details=_details(details))
    db.session.add(entry)
    return entry


def describe(target) -> str | None:
    """A row as the audit shows it: its kind and the name people know it by."""
    if target is None or isinstance(target, str):
        return target
    kind = type(target).__name__
    label = getattr(target, "email", None) or getattr(target, "code", None) or getattr(target, "reference", None)
    identity = f"#{target.id}" if getattr(target, "id", None) is not None else ""
    return " ".join(part for part in (kind, identity, label) if part)


def snapshot(row, names: tuple[str, ...]) -> dict:
    """The values of some attributes (related rows by their code or email), to compare before and after."""
    return {name: _plain(getattr(row, name)) for name in names}


def changes(before: dict, after: dict) -> dict:
    """{name: [old, new]} for what differs."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    return getattr(value, "code", None) or getattr(value, "email", None) or str(value)


def _request_user() -> User | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def _address() -> str | None:
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:45] or None


def _details(details: dict | None) -> str | None:
    if not details:
        return None
    secret = [key for key in details if any(word in key.lower() for word in SECRET_WORDS)]
    if secret:
        raise SecretInAudit(f"never log secrets in the audit trail: {secret}")
    return json.dumps({key: _clip(value) for key, value in details.items()}, ensure_ascii=False, sort_keys=True,
                      default=str)


def _clip(value):
    if isinstance(value, str):
        return _text(value, VALUE_MAX)
    if isinstance(value, list | tuple):
        return [_clip(item) for item in value]
    return value


def _text(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


@event.listens_for(db.session, "before_flush")
def _append_only(session, _context, _instances):
    """Entries are written once: changing or deleting one is a programming error, refused before SQL."""
    touched = [e for e in (*session.dirty, *session.deleted) if isinstance(e, AuditEntry)]
    if any(e in session.deleted or session.is_modified(e) for e in touched):
        raise PermissionError("the audit trail is append-only")


@dataclass
class AuditFilters:
    actor: str | None = None
    action: AuditAction | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def entries(filters: AuditFilters, page: int, per_page: int) -> tuple[list[AuditEntry], bool]:
    """One page of entries, newest first, and whether an older page exists. No total count: the trail grows
    without end and counting it on every page view would cost more than the page."""
    query = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.created_at.desc(),
                                                                                AuditEntry.id.desc())
    if filters.actor:
        query = query.where(AuditEntry.actor_email == filters.actor.strip().lower())
    if filters.action:
        query = query.where(AuditEntry.action == filters.action.value)
    if filters.date_from:
        query = query.where(AuditEntry.created_at >= local_midnight(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.created_at < local_midnight(filters.date_to + dt.timedelta(days=1)))
    rows = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page
