"""Delivering the outbox over SMTP: claim due rows, send, record the outcome row by row.

A row is claimed with a compare-and-set UPDATE (pending -> sending, with claimed_by/claimed_until), so two
senders on two hosts never take the same row; a crashed sender's claim expires and the row is taken again.
A row is marked sent only after the SMTP server accepted it, and each outcome is committed at once.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
import uuid
from dataclasses import dataclass, field
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formataddr, parseaddr

from flask import current_app
from sqlalchemy import and_, or_, select, update

from ..enums import OutboxStatus
from ..extensions import db
from ..models import OutboxMessage, utcnow
from .outbox import message_id_domain, one_line

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.SENT, OutboxStatus.FAILED
MAX_ATTEMPTS = 8
CLAIM_TTL = dt.timedelta(minutes=5)
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_CAP = dt.timedelta(hours=4)
BATCH_SIZE = 100


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 ... minutes after each failure, capped: an hour's outage costs a few retries."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def deliver_due(now: dt.datetime | None = None, *, force: bool = False, limit: int | None = None) -> DeliveryReport:
    """Send what is due, batch after batch, until nothing is left (or `limit` messages were tried).

    `force` ignores the backoff and takes failed messages again (the operator's `outbox send --now`).
    """
    report = DeliveryReport()
    cursor = 0  # rows are taken in id order, each at most once per run, even when they fail again at once
    while limit is None or report.attempted < limit:
        size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - report.attempted)
        batch = claim(now or utcnow(), force=force, size=size, after_id=cursor)
        if not batch:
            break
        cursor = batch[-1].id
        _send_batch(batch, report)
    return report


def claim(now: dt.datetime, *, force: bool = False, size: int = BATCH_SIZE, after_id: int = 0) -> list[OutboxMessage]:
    """Take up to `size` due rows for this sender; returns them (committed as `sending`)."""
    token = f"{socket.gethostname()[:20]}:{uuid.uuid4().hex}"
    due = or_(and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
              and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_until < now))
    if force:
        due = or_(OutboxMessage.status.in_((PENDING, FAILED)),
                  and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_until < now))
    db.session.commit()  # start the claim in a fresh transaction (SQLite: no stale read snapshot)
    due = and_(due, OutboxMessage.id > after_id)
    # PostgreSQL: skip rows another sender is claiming right now, so both get work (SQLite ignores it).
    candidates = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).with_for_update(skip_locked=True)
    # The outer WHERE repeats the condition: a row another sender took meanwhile no longer matches.
    claimed_ids = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates.limit(size).scalar_subquery()), due)
        .values(status=SENDING, claimed_by=token, claimed_until=now + CLAIM_TTL)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    if not claimed_ids:
        return []
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(claimed_ids))
                                   .order_by(OutboxMessage.id)))


def _send_batch(batch: list[OutboxMessage], report: DeliveryReport) -> None:
    # Read everything before the first commit: each outcome commits, which expires the loaded rows.
    items, unbuildable = [], []
    for m in batch:
        try:
            items.append(_Claimed(m.id, m.key, m.attempts, m.claimed_by, build_email(m)))
        except (ValueError, TypeError) as error:
            unbuildable.append((_Claimed(m.id, m.key, m.attempts, m.claimed_by, None), _describe(error)))
    for item, reason in unbuildable:
        _record_failure(item, f"message could not be built: {reason}", report)
    if not items:
        return
    try:
        connection = _connect()
    except (OSError, smtplib.SMTPException) as error:
        reason = f"SMTP server unreachable: {_describe(error)}"
        report.errors.append(reason)
        for item in items:
            _record_failure(item, reason, report)
        return
    try:
        for item in items:
            try:
                connection.send_message(item.email)
            except smtplib.SMTPServerDisconnected as error:
                _record_failure(item, _describe(error), report)
                connection = _reconnect(connection)
            except (OSError, smtplib.SMTPException, ValueError) as error:
                _record_failure(item, _describe(error), report)
            else:
                _record_sent(item, report)
    finally:
        _quit(connection)


@dataclass(frozen=True)
class _Claimed:
    id: int
    key: str
    attempts: int
    token: str
    email: EmailMessage | None


class _MailPolicy(EmailPolicy):
    """The default policy, except that a non-ASCII Subject is folded by the RFC 2047 encoder of
    email.header, which keeps every space inside an encoded word.

    Python's own folder (3.11-3.13) may put the space between two words as folding whitespace between two
    encoded words, where RFC 2047 tells readers to drop it: "đã được trả lời" arrived as "đã đượctrả lời".
    """

    def _encoded(self, name: str, value) -> str | None:
        text = str(value)
        if name.lower() != "subject" or text.isascii():
            return None
        encoded = Header(text, "utf-8", maxlinelen=self.max_line_length, header_name=name)
        return f"{name}: {encoded.encode(linesep=self.linesep)}{self.linesep}"

    def fold(self, name, value):
        return self._encoded(name, value) or super().fold(name, value)

    def fold_binary(self, name, value):
        encoded = self._encoded(name, value)
        return encoded.encode("ascii") if encoded else super().fold_binary(name, value)


MAIL_POLICY = _MailPolicy()


def build_email(message: OutboxMessage) -> EmailMessage:
    """multipart/alternative text + HTML, UTF-8; header values never carry CR/LF."""
    config = current_app.config
    email = EmailMessage(policy=MAIL_POLICY)
    email["Subject"] = one_line(message.subject)
    email["From"] = _sender(config["MAIL_DEFAULT_SENDER"])
    email["To"] = one_line(message.recipient)
    # The same on every attempt: a mail client recognises a resend after a crash as the same message.
    email["Message-ID"] = message.message_id or _derived_message_id(message)
    email["X-Outbox-Key"] = one_line(message.key)
    email.set_content(message.body_text or "", charset="utf-8")
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html", charset="utf-8")
    return email


def _derived_message_id(message: OutboxMessage) -> str:
    """For rows enqueued before Message-IDs were stored: a function of the row alone, so still stable."""
    return f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S}@{message_id_domain()}>"


def _sender(value: str) -> str:
    """MAIL_DEFAULT_SENDER may be 'Name <address>'; the name is encoded, never split across lines."""
    name, address = parseaddr(one_line(value))
    return formataddr((name, address)) if name else address


def _connect() -> smtplib.SMTP:
    config = current_app.config
    connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                              timeout=config["MAIL_TIMEOUT"])
    if config["MAIL_USE_TLS"]:
        connection.starttls()
    if config["MAIL_USERNAME"]:
        connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return connection


def _reconnect(connection: smtplib.SMTP) -> smtplib.SMTP:
    _quit(connection)
    try:
        return _connect()
    except (OSError, smtplib.SMTPException):
        return connection  # the next send fails and is recorded like this one


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


def _record_sent(message: _Claimed, report: DeliveryReport) -> None:
    """Committed at once: a crash later in the batch never resends what the server accepted."""
    now = utcnow()
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == message.token)
        .values(status=SENT, sent_at=now, attempts=OutboxMessage.attempts + 1, last_error=None,
                claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False))
    db.session.commit()
    report.sent += 1


def _record_failure(message: _Claimed, reason: str, report: DeliveryReport) -> None:
    now = utcnow()
    attempts = message.attempts + 1
    gave_up = attempts >= MAX_ATTEMPTS
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == message.token)
        .values(status=FAILED if gave_up else PENDING, attempts=attempts, last_error=reason[:2000],
                next_attempt_at=now + backoff(attempts), claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False))
    db.session.commit()
    log.warning("outbox message %s (%s) not delivered, attempt %d: %s", message.id, message.key, attempts, reason)
    if gave_up:
        report.failed += 1
    else:
        report.retrying += 1


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        detail = error.smtp_error
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        return f"{error.smtp_code} {detail}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {code} {msg!r}" for rcpt, (code, msg) in error.recipients.items())
    return f"{type(error).__name__}: {error}"


def retry_message(message: OutboxMessage, now: dt.datetime | None = None) -> bool:
    """An admin sends a failed message again: due at once, with a fresh set of attempts. Flushes."""
    if message.status != FAILED:
        return False
    message.status = PENDING
    message.attempts = 0
    message.next_attempt_at = now or utcnow()
    db.session.flush()
    return True


def deliver_outbox_job() -> None:
    """The scheduled delivery, every minute; an unreachable server is logged, never raised."""
    report = deliver_due()
    if report.attempted:
        log.info("outbox: %d sent, %d to retry, %d failed", report.sent, report.retrying, report.failed)
