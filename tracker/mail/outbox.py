"""Email through the outbox: a row written in the same transaction as the change that causes it.

Delivery (SMTP, retries with backoff, claiming rows) is delivery.py's work.
"""
from __future__ import annotations

import logging
import re
from email.utils import make_msgid

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..enums import OutboxStatus
from ..extensions import db
from ..models import OutboxMessage, User, utcnow

_HEADER_BREAKS = re.compile(r"[\r\n]+")
log = logging.getLogger(__name__)


def one_line(value: str) -> str:
    """Header values never carry CR/LF (no header injection)."""
    return _HEADER_BREAKS.sub(" ", value or "").strip()


def valid_address(address: str | None) -> str | None:
    """The normalised address, or None when it cannot receive mail (missing, malformed, CR/LF in it)."""
    if not address or _HEADER_BREAKS.search(address):
        return None
    try:
        result = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    return result.ascii_email or result.normalized


def message_id_domain() -> str:
    """The right-hand side of our Message-IDs: the sender's domain."""
    sender = one_line(current_app.config["MAIL_DEFAULT_SENDER"])
    return sender.rpartition("@")[2].strip("> ") or "localhost"


def new_message_id() -> str:
    """A Message-ID chosen once, when the message is enqueued, and sent on every attempt."""
    return make_msgid(idstring="outbox", domain=message_id_domain())


def enqueue(key: str, recipient: str, subject: str, body_text: str,
            body_html: str | None = None) -> OutboxMessage | None:
    """Add a message unless one with this key exists already (then None): the same email never twice.

    An address that cannot receive mail is not enqueued (None) and is logged: it never breaks the caller.
    """
    address = valid_address(recipient)
    if address is None:
        log.warning("email %s not enqueued: invalid recipient address %r", key, recipient)
        return None
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return None
    for pending in db.session.new:
        if isinstance(pending, OutboxMessage) and pending.key == key:
            return None
    message = OutboxMessage(key=key, recipient=address, subject=one_line(subject)[:300],
                            body_text=body_text, body_html=body_html, next_attempt_at=utcnow(),
                            message_id=new_message_id())
    db.session.add(message)
    return message


def insert_once(**values) -> bool:
    """INSERT ... ON CONFLICT (key) DO NOTHING: whether this call inserted the row. Safe when two jobs
    overlap (PostgreSQL makes the second wait for the first's commit, then do nothing)."""
    values.setdefault("message_id", new_message_id())
    values.setdefault("status", OutboxStatus.PENDING.value)
    values.setdefault("attempts", 0)
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = (insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["key"])
                 .returning(OutboxMessage.id))
    return db.session.execute(statement).scalar() is not None


def insert_many(rows: list[dict], batch: int = 500) -> int:
    """insert_once for many rows, a few hundred per statement: how many were inserted (the others' keys
    were in the outbox already)."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    inserted = 0
    for start in range(0, len(rows), batch):
        chunk = [{"message_id": new_message_id(), "status": OutboxStatus.PENDING.value, "attempts": 0, **row}
                 for row in rows[start:start + batch]]
        statement = (insert(OutboxMessage).values(chunk).on_conflict_do_nothing(index_elements=["key"])
                     .returning(OutboxMessage.id))
        inserted += len(db.session.execute(statement).all())
    return inserted


def enqueue_email(key: str, user: User, template: str, subject, **context) -> OutboxMessage | None:
    """Render templates/email/<template>.txt and .html in the recipient's language, then enqueue.

    `subject` may be a lazy string: it is rendered in the recipient's locale too.
    """
    if not user.email or not user.active:
        return None
    with force_locale(user.locale or "vi"):
        context = {"recipient": user, **context}
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
        subject = str(subject)
    return enqueue(key, user.email, subject, text, html)


def get_message(message_id: int) -> OutboxMessage | None:
    """One outbox row by id; an id beyond the column's range names none (and never reaches the database)."""
    return db.session.get(OutboxMessage, message_id) if 0 < message_id < 2**31 else None


def outbox_list(status: str | None, page: int, per_page: int):
    """The admin's view of the outbox, newest first, optionally one status (index on status)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in set(OutboxStatus):
        query = query.where(OutboxMessage.status == status)
    return db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False)
