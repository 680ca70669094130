"""Alert emails: each person's owed notifications gathered into one email per window, never one per obstacle.

A window is ALERT_WINDOW_MINUTES long (an hour by default), aligned on the clock; daily summaries become owed
at ALERT_DAILY_AT of the next working day and leave with that window's email. The email's outbox key names
the person and the window, so a person gets at most one alert email per window.

Nothing twice: notifications are claimed with a compare-and-set UPDATE (email_due_at → NULL) in the same
transaction that inserts their email; a second job in the same window finds the key taken and gives its
claim back. Nothing lost: what arrives after a batch stays owed and leaves with the next window's email.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from .. import locks
from ..enums import Deadline, NotificationKind
from ..extensions import db
from ..localtime import local_zone
from ..mail.digest_mail import local_name
from ..mail.outbox import insert_once, one_line, valid_address
from ..models import Notification, OutboxMessage, Ticket, User, utcnow

log = logging.getLogger(__name__)

LOCK_NAME = "job:alert_emails"
LOCK_TTL = dt.timedelta(minutes=10)
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # windows start on whole hours, in UTC as in +07:00
SECTION_LIMIT = 200  # obstacles listed per section; the counts and the app's list always cover all of them
K = NotificationKind
ORDER = (K.BREACHED, K.AT_RISK, K.ASSIGNED, K.LOCALITY_REPLY, K.ANSWERED, K.REPLY, K.CLOSED)


@dataclass
class AlertRun:
    window: str
    emails: int = 0  # emails enqueued
    notifications: int = 0  # notifications they carry
    waiting: list[int] = field(default_factory=list)  # people emailed earlier in this window: next window


def window_start(now: dt.datetime) -> dt.datetime:
    size = dt.timedelta(minutes=current_app.config["ALERT_WINDOW_MINUTES"])
    return EPOCH + ((now - EPOCH) // size) * size


def alert_key(now: dt.datetime, user_id: int) -> str:
    return f"alerts:{window_start(now).astimezone(local_zone()):%Y-%m-%dT%H:%M}:user:{user_id}"


def send_due_alerts(now: dt.datetime | None = None) -> AlertRun:
    """Email every person whose notifications are owed at `now`, one email each; commits person by person."""
    now = now or utcnow()
    run = AlertRun(window_start(now).astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M"))
    db.session.commit()  # a fresh transaction: see what other jobs committed
    owed = db.session.scalars(select(Notification.user_id).distinct()
                              .where(Notification.email_due_at <= now)).all()
    db.session.commit()
    for user_id in sorted(owed):
        _email_one(user_id, now, run)
    return run


def _email_one(user_id: int, now: dt.datetime, run: AlertRun) -> None:
    key = alert_key(now, user_id)
    claimed = _claim(user_id, now, key)
    if not claimed:
        db.session.rollback()
        return
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        db.session.rollback()  # this window's email has left: these wait for the next window
        run.waiting.append(user_id)
        return
    user = db.session.get(User, user_id)
    address = valid_address(user.email) if user.active else None
    if address is None:
        log.warning("alerts for user %s not emailed: inactive or invalid address %r", user_id, user.email)
        _give_up(claimed)  # nothing can reach them by email; the app's list keeps every one
        db.session.commit()
        return
    notes = _load(claimed)
    subject, text, html = render_alerts(user, notes, now)
    if insert_once(key=key, recipient=address, subject=subject, body_text=text, body_html=html,
                   next_attempt_at=now, created_at=now):
        db.session.commit()
        run.emails += 1
        run.notifications += len(notes)
    else:
        db.session.rollback()  # another job emailed this window meanwhile
        run.waiting.append(user_id)


def _claim(user_id: int, now: dt.datetime, key: str) -> list[int]:
    """Compare-and-set: take the person's owed notifications for the email `key`; a concurrent job that took
    them first leaves nothing to take. It writes first, so on SQLite the transaction waits for the lock."""
    return db.session.scalars(
        update(Notification).where(Notification.user_id == user_id, Notification.email_due_at <= now)
        .values(email_due_at=None, emailed_at=now, email_key=key).returning(Notification.id)
        .execution_options(synchronize_session=False)).all()


def _give_up(ids: list[int]) -> None:
    """No longer owed, and carried by no email."""
    db.session.execute(update(Notification).where(Notification.id.in_(ids)).values(emailed_at=None, email_key=None)
                       .execution_options(synchronize_session=False))


def _load(ids: list[int]) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.id.in_(ids))
        .options(joinedload(Notification.ticket).joinedload(Ticket.lead_unit),
                 joinedload(Notification.ticket).joinedload(Ticket.locality),
                 joinedload(Notification.ticket).joinedload(Ticket.assignee))).unique())


@dataclass
class Row:
    """One obstacle in a section, with the notifications about it (its first response and its answer may have
    crossed together)."""

    ticket: Ticket
    notes: list[Notification]


@dataclass
class Section:
    kind: NotificationKind
    count: int  # obstacles
    groups: list[tuple[str | None, list[Row]]]  # (lead unit, its obstacles oldest first)
    hidden: int = 0  # obstacles beyond SECTION_LIMIT, left to the app's list


def sections(notes: list[Notification]) -> list[Section]:
    """By kind (overdue first), deadline crossings by lead unit; the oldest obstacle first in each group."""
    by_kind: dict[str, dict[int, Row]] = defaultdict(dict)
    for note in sorted((n for n in notes if n.ticket is not None), key=lambda n: (n.ticket.created_at,
                                                                                   n.ticket.id, n.id)):
        rows = by_kind[note.kind]
        rows.setdefault(note.ticket.id, Row(note.ticket, [])).notes.append(note)
    result = []
    for kind in ORDER:
        rows = list(by_kind.get(kind.value, {}).values())
        if not rows:
            continue
        groups: dict[str | None, list[Row]] = defaultdict(list)
        for row in rows[:SECTION_LIMIT]:
            groups[local_name(row.ticket.lead_unit) if kind.is_batched else None].append(row)
        result.append(Section(kind, len(rows), sorted(groups.items(), key=lambda g: g[0] or ""),
                              hidden=max(len(rows) - SECTION_LIMIT, 0)))
    return result


def due_of(note: Notification):
    """The moment the crossing is about: the first response's deadline or the answer's."""
    if note.ticket is None:
        return None
    if note.deadline == Deadline.FIRST_RESPONSE:
        return note.ticket.first_response_due_at
    return note.ticket.answer_due_at


def render_alerts(user: User, notes: list[Notification], now: dt.datetime) -> tuple[str, str, str]:
    """(subject, plain text, HTML) in the recipient's language."""
    with force_locale(user.locale or "vi"):
        parts = sections(notes)
        when = now.astimezone(local_zone()).strftime("%d/%m/%Y %H:%M")
        summary = ", ".join(f"{section.kind.label}: {section.count}" for section in parts)
        subject = one_line(_("Notifications of %(when)s — %(summary)s", when=when, summary=summary))
        base_url = current_app.config["BASE_URL"]
        context = {"recipient": user, "sections": parts, "subject": subject, "base_url": base_url,
                   "due_of": due_of, "Deadline": Deadline, "local_name": local_name}
        text = render_template("email/alerts_batch.txt", **context)
        html = render_template("email/alerts_batch.html", **context)
    return subject[:300], text, html


def run_alert_emails() -> AlertRun:
    """The scheduled job's body (the job runner holds the lease)."""
    run = send_due_alerts()
    if run.emails or run.waiting:
        log.info("alerts %s: %d emails carrying %d notifications; %d people wait for the next window",
                 run.window, run.emails, run.notifications, len(run.waiting))
    return run


def run_alert_emails_locked() -> AlertRun | None:
    """Once under the job's lease (as the CLI does); None when another process is at it."""
    with locks.held(LOCK_NAME, LOCK_TTL) as got:
        return run_alert_emails() if got else None
