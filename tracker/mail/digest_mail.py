"""The weekly status emails: render each digest in its recipient's language and put it in the outbox.

One outbox row per recipient per week, keyed `digest:<YYYY-Www>:user:<id>`: running again enqueues
nothing new, and a recipient added later gets theirs on the next run.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..localtime import local_date, local_zone
from ..models import OutboxMessage, User, utcnow
from ..permissions import can_see_dashboard
from ..weeks import Week, last_week
from .delivery import deliver_due
from .digest import Digest, build_digests
from .outbox import insert_many, one_line, valid_address

log = logging.getLogger(__name__)
BATCH = 500


@dataclass
class DigestRun:
    week: Week
    enqueued: int = 0
    already: int = 0
    invalid: list[str] = field(default_factory=list)  # users whose address cannot receive mail


def digest_key(week: Week, user: User) -> str:
    return f"digest:{week.label}:user:{user.id}"


def enqueue_digests(week: Week, now: dt.datetime | None = None,
                    progress: Callable[[list], Iterable] = iter) -> DigestRun:
    """Enqueue the week's email of every recipient who has none yet, and commit. `progress` wraps the list of
    digests (the CLI shows a progress bar over it)."""
    now = now or utcnow()
    run = DigestRun(week)
    prefix = f"digest:{week.label}:user:"
    rows: list[dict] = []
    existing = set(db.session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.startswith(prefix))))
    for digest in progress(build_digests(week)):
        key = digest_key(week, digest.user)
        if key in existing:
            run.already += 1
            continue
        address = valid_address(digest.user.email)
        if address is None:
            log.warning("weekly report %s not enqueued: invalid address %r", key, digest.user.email)
            run.invalid.append(f"{digest.user.id} {digest.user.email!r}")
            continue
        subject, text, html = render_digest(digest)
        rows.append({"key": key, "recipient": address, "subject": subject, "body_text": text, "body_html": html,
                     "next_attempt_at": now, "created_at": now})
        if len(rows) == BATCH:
            _insert(run, rows)
    _insert(run, rows)
    db.session.commit()
    return run


def _insert(run: DigestRun, rows: list[dict]) -> None:
    """The rendered emails into the outbox, BATCH a statement (a few statements for every locality's email)."""
    inserted = insert_many(rows, BATCH)
    run.enqueued += inserted
    run.already += len(rows) - inserted  # another run enqueued those meanwhile
    rows.clear()


def render_digest(digest: Digest) -> tuple[str, str, str]:
    """(subject, plain text, HTML) in the recipient's language; also used by the admin preview."""
    with force_locale(digest.user.locale or "vi"):
        context = {"digest": digest, "recipient": digest.user, "week": digest.week,
                   "base_url": current_app.config["BASE_URL"], "local_name": local_name,
                   "dashboard_url": dashboard_url(digest)}
        subject = one_line(_("Weekly report %(week)s (%(first)s – %(last)s): %(about)s",
                             week=digest.week.label, first=digest.week.first_day.strftime("%d/%m/%Y"),
                             last=digest.week.last_day.strftime("%d/%m/%Y"), about=_about(digest)))
        text = render_template(f"email/digest_{digest.kind}.txt", subject=subject, **context)
        html = render_template(f"email/digest_{digest.kind}.html", subject=subject, **context)
    return subject[:300], text, html


def dashboard_url(digest: Digest) -> str | None:
    """The week on the recipient's dashboard (the team's country, a unit, a province); communes have none."""
    if not can_see_dashboard(digest.user):
        return None
    week = {"from": digest.week.first_day.strftime("%d/%m/%Y"), "to": digest.week.last_day.strftime("%d/%m/%Y")}
    return f"{current_app.config['BASE_URL']}/dashboard?{urlencode(week)}"


def _about(digest: Digest) -> str:
    if digest.kind == "team":
        return _("Rapid-response team")
    return local_name(digest.subject_of)


def local_name(obj) -> str:
    """Units and categories carry an English name beside the Vietnamese one."""
    if obj is None:
        return _("Not routed yet")
    if str(get_locale()) == "en" and getattr(obj, "name_en", ""):
        return obj.name_en
    return obj.name


# When the weekly report goes out: Monday 07:30, local time (the scheduler's cron and the catch-up agree).
WEEKLY_AT = {"day_of_week": "mon", "hour": 7, "minute": 30}


def weekly_digest_job() -> None:
    """Monday 07:30: the week that just ended, for every recipient, then delivery."""
    _send_week(last_week(utcnow()))


def _send_week(week: Week, now: dt.datetime | None = None) -> DigestRun:
    run = enqueue_digests(week, now)
    log.info("weekly report %s: %d enqueued, %d already, %d invalid addresses",
             run.week.label, run.enqueued, run.already, len(run.invalid))
    deliver_due()
    return run


def weekly_report_due(now: dt.datetime) -> dt.datetime:
    """This week's Monday 07:30, local time, as an aware UTC moment."""
    day = local_date(now)
    monday = day - dt.timedelta(days=day.weekday())
    moment = dt.datetime.combine(monday, dt.time(WEEKLY_AT["hour"], WEEKLY_AT["minute"]), tzinfo=local_zone())
    return moment.astimezone(dt.UTC)


def catch_up_weekly_digest(now: dt.datetime | None = None) -> DigestRun | None:
    """The Monday run was missed (the scheduler was down): send last week's report now, once.

    Nothing before this week's Monday 07:30, nor once any of last week's reports is in the outbox; a second
    run in between would enqueue nothing new anyway (one outbox key per recipient and week).
    """
    now = now or utcnow()
    if now < weekly_report_due(now):
        return None
    week = last_week(now)
    sent = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key.startswith(f"digest:{week.label}:"))
                             .limit(1))
    if sent is not None:
        return None
    log.warning("weekly report %s was not sent on Monday: sending it now", week.label)
    return _send_week(week, now)


def preview_digest(user: User, week: Week) -> tuple[str, str, str] | None:
    """The email this user would get for this week, without enqueueing it (None: they get none)."""
    digests = build_digests(week, users=[user])
    return render_digest(digests[0]) if digests else None
