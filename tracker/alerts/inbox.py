"""The in-app notifications: recorded once per person and event, in the transaction of the change, with the
email each one is owed; the list, the unread count of the bell, marking as read."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from ..enums import Deadline, Delivery, NotificationKind
from ..extensions import db
from ..localtime import local_zone
from ..models import Notification, OutboxMessage, Ticket, User
from ..permissions import is_team, visible_tickets
from ..worktime.calendar import WorkingCalendar, load_calendar
from .preferences import deliveries

MAX_ID = 2**31 - 1  # an id beyond the column's range names nothing (and must not reach PostgreSQL)
MAX_PAGE = 10_000
UNREAD_CAP = 99  # the bell shows 99+ beyond it: counting further would cost more and tell nobody anything


class Schedule:
    """When a new notification's email is due: at once for a deadline crossing (the batching job gathers
    them per window), the next working morning for a daily summary, never for "no email". Immediate event
    emails are sent by the caller, not scheduled. Reads the working calendar at most once."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self._daily: dt.datetime | None = None

    def email_due(self, kind: NotificationKind, delivery: Delivery) -> dt.datetime | None:
        if delivery is Delivery.DAILY:
            return self.next_daily()
        if delivery is Delivery.IMMEDIATE and kind.is_batched:
            return self.now
        return None

    def next_daily(self) -> dt.datetime:
        if self._daily is None:
            self._daily = next_daily_summary(self.now, load_calendar())
        return self._daily


def next_daily_summary(now: dt.datetime, calendar: WorkingCalendar) -> dt.datetime:
    """The first ALERT_DAILY_AT (local time) of a working day after `now`."""
    hours, minutes = (int(part) for part in current_app.config["ALERT_DAILY_AT"].split(":"))
    zone = local_zone()
    day = now.astimezone(zone).date()
    for _ in range(60):  # a working day always comes within a few weeks, even over Tết
        moment = dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=zone)
        if moment > now and calendar.is_working_day(day):
            return moment.astimezone(dt.UTC)
        day += dt.timedelta(days=1)
    return (now + dt.timedelta(days=1)).astimezone(dt.UTC)


def post(users: Iterable[User], kind: NotificationKind, ticket: Ticket | None, key: str, now: dt.datetime, *,
         deadline: Deadline | None = None, forced: Iterable[int] = (), schedule: Schedule | None = None,
         email_now: Callable[[User], OutboxMessage | None] | None = None, fresh: bool = False,
         deliveries_of=deliveries) -> list[Notification]:
    """Record the event `key` for each active user once (a second call adds nothing); the email follows each
    one's setting, or goes at once to the users in `forced` (the filing locality). `email_now(user)` sends an
    unbatched kind at once. `fresh`: the key names an event just recorded, so no row can have it yet.
    Returns the new notifications; flushes nothing (the change's transaction does)."""
    people = {u.id: u for u in users if u is not None and u.active}
    keys = {uid: f"{key}:user:{uid}" for uid in people}
    taken = set()
    if keys and not fresh:
        taken = set(db.session.scalars(select(Notification.key).where(Notification.key.in_(keys.values()))))
        taken |= {n.key for n in db.session.new if isinstance(n, Notification)}
    new = [u for uid, u in sorted(people.items()) if keys[uid] not in taken]
    forced = set(forced)
    chosen = deliveries_of([u for u in new if u.id not in forced], kind)
    schedule = schedule or Schedule(now)
    posted = []
    for user in new:
        delivery = Delivery.IMMEDIATE if user.id in forced else chosen[user.id]
        note = Notification(key=keys[user.id], user_id=user.id, kind=kind.value, ticket=ticket,
                            deadline=deadline.value if deadline else None, delivery=delivery.value,
                            created_at=now, email_due_at=schedule.email_due(kind, delivery))
        if delivery is Delivery.IMMEDIATE and not kind.is_batched and email_now is not None:
            message = email_now(user)
            note.emailed_at, note.email_key = (now, message.key) if message is not None else (None, None)
        db.session.add(note)
        posted.append(note)
    return posted


def unread_count(user: User, cap: int = UNREAD_CAP) -> int:
    """How many unread notifications, counted up to cap + 1 on the (user, read_at) index: one cheap query."""
    unread = (select(Notification.id).where(Notification.user_id == user.id, Notification.read_at.is_(None))
              .limit(cap + 1).subquery())
    return db.session.scalar(select(func.count()).select_from(unread))


def notifications_page(user: User, page: int, per_page: int, unread_only: bool = False):
    """The user's notifications, newest first, about obstacles they may still see."""
    query = (select(Notification).where(Notification.user_id == user.id)
             .options(joinedload(Notification.ticket))
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    if not is_team(user):  # a locality's account may have moved since: only what it may see now
        visible = visible_tickets(user).with_only_columns(Ticket.id)
        query = query.where(or_(Notification.ticket_id.is_(None), Notification.ticket_id.in_(visible)))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return db.paginate(query, page=min(max(page, 1), MAX_PAGE), per_page=per_page, error_out=False)


def mark_read(user: User, notification_id: int, now: dt.datetime) -> Notification | None:
    """Mark one of the user's notifications read (None: not theirs, or no such notification). Flushes."""
    if not 0 < notification_id <= MAX_ID:
        return None
    note = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id))
    if note is not None and note.read_at is None:
        note.read_at = now
        db.session.flush()
    return note


def mark_all_read(user: User, now: dt.datetime) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now).execution_options(synchronize_session=False)).rowcount
