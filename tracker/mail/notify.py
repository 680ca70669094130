"""Event notifications, written in the transaction of the change (never sent for a rolled-back one).

Every event reaches each concerned person's in-app list; its email follows their setting (alerts.preferences):
at once, in a daily summary, or none. Deadline crossings are never emailed one by one: the batching job
(alerts.batching) gathers them per person and window. The filing locality always gets its emails at once.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..alerts import inbox
from ..alerts.preferences import deliveries
from ..enums import Deadline, Delivery, MessageKind, NotificationKind, SlaState
from ..extensions import db
from ..models import Message, Ticket, User, utcnow
from ..people import (
    escalation_recipients,
    locality_officers,
    province_coordinators,
    responsible_people,
    triage_coordinators,
    unit_heads,
    unit_specialists,
)
from . import outbox

K = NotificationKind


def ticket_url(ticket: Ticket) -> str:
    return f"{current_app.config['BASE_URL']}/tickets/{ticket.reference}"


def _tell(users: Iterable[User], what: NotificationKind, ticket: Ticket, key: str, template: str, subject, *,
          forced: Iterable[int] = (), **context) -> None:
    """In-app for everyone; the email of `template` at once to those who want it so (and to `forced`)."""
    def email_now(user: User):
        return outbox.enqueue_email(f"{key}:user:{user.id}", user, template, subject, ticket=ticket,
                                    url=ticket_url(ticket), **context)

    inbox.post(users, what, ticket, key, utcnow(), forced=forced, email_now=email_now)


def notify_locality_of_message(ticket: Ticket, message: Message) -> None:
    """A team reply or the answer reaches the locality (always, at once); internal notes never do. An answer
    also reaches the localities whose obstacles were merged into this one, and the province of a commune's
    obstacle (per its coordinators' setting)."""
    if message.is_internal:
        return
    filers = [u for u in locality_officers(ticket) if u.id != message.author_id]
    if message.kind != MessageKind.ANSWER:
        subject = _l("[%(reference)s] New reply to your obstacle", reference=ticket.reference)
        _tell(filers, K.REPLY, ticket, f"{message.kind}:{message.id}", "event_reply", subject,
              forced=[u.id for u in filers], message=message)
        return
    for duplicate in db.session.scalars(select(Ticket).where(Ticket.duplicate_of_id == ticket.id)):
        filers += locality_officers(duplicate)
    subject = _l("[%(reference)s] Your obstacle was answered", reference=ticket.reference)
    _tell(filers, K.ANSWERED, ticket, f"answer:{message.id}", "event_reply", subject,
          forced=[u.id for u in filers], message=message)
    if not ticket.locality.is_province:
        province = [u for u in province_coordinators(ticket.province_id) if u.id not in {f.id for f in filers}]
        subject = _l("[%(reference)s] An obstacle of %(locality)s was answered", reference=ticket.reference,
                     locality=ticket.locality.name)
        _tell(province, K.ANSWERED, ticket, f"answer:{message.id}:province", "event_answer_province", subject,
              message=message)


def notify_team_of_locality_reply(ticket: Ticket, message: Message) -> None:
    """The locality wrote back: whoever must act on the obstacle now hears of it."""
    subject = _l("[%(reference)s] Reply from %(locality)s", reference=ticket.reference,
                 locality=ticket.locality.name)
    _tell(responsible_people(ticket), K.LOCALITY_REPLY, ticket, f"locality_reply:{message.id}",
          "event_locality_reply", subject, message=message)


def notify_locality_closed(ticket: Ticket, kind: str) -> None:
    """The locality learns its obstacle was merged (kind duplicate) or transferred."""
    subjects = {
        "duplicate": _l("[%(reference)s] Your obstacle was merged into %(main)s", reference=ticket.reference,
                        main=ticket.duplicate_of.reference if ticket.duplicate_of else ""),
        "transferred": _l("[%(reference)s] Your obstacle was transferred to the competent agency",
                          reference=ticket.reference),
    }
    main_url = ticket_url(ticket.duplicate_of) if ticket.duplicate_of else None
    filers = locality_officers(ticket)
    _tell(filers, K.CLOSED, ticket, f"{kind}:{ticket.id}", "event_closed", subjects[kind],
          forced=[u.id for u in filers], kind=kind, main_url=main_url)


def notify_assigned(ticket: Ticket, version: int) -> None:
    if ticket.assignee is None:
        return
    _tell([ticket.assignee], K.ASSIGNED, ticket, f"assigned:{ticket.id}:{version}", "event_assigned",
          _l("[%(reference)s] An obstacle was assigned to you", reference=ticket.reference))


def notify_routed(ticket: Ticket) -> None:
    """The lead unit learns of a newly routed obstacle: its active specialists, and the unit's own address."""
    unit = ticket.lead_unit
    if unit is None:
        return
    subject = _l("[%(reference)s] A new obstacle for your unit", reference=ticket.reference)
    _tell(unit_specialists(unit.id), K.ASSIGNED, ticket, f"routed:{ticket.id}:{unit.id}", "event_routed",
          subject, unit=unit)
    if unit.email:
        with force_locale("vi"):
            context = {"recipient": unit, "ticket": ticket, "unit": unit, "url": ticket_url(ticket)}
            outbox.enqueue(f"routed:{ticket.id}:{unit.id}:unit", unit.email, str(subject),
                           render_template("email/event_routed.txt", **context),
                           render_template("email/event_routed.html", **context))


class DeadlineAlerts:
    """Notifies the crossings of one sweep, in the app at once; their emails wait for each recipient's next
    batch (or daily summary). Who to tell and how each wants it are read once per unit and person per sweep.

    At risk warns whoever must act now (the assignee; else the lead unit's head; else triage); breached
    escalates to the unit's head (triage when there is no unit) and the team leads.
    """

    def __init__(self, now: dt.datetime):
        self.now = now
        self.schedule = inbox.Schedule(now)
        self._memo: dict = {}

    def crossed(self, ticket: Ticket, deadline: Deadline, state: SlaState) -> None:
        """Called once per crossing (the sweep's compare-and-set sees to it): its key names the moment too,
        so a later crossing of the same state (after a reopened or extended deadline) is a new one."""
        kind = K.AT_RISK if state is SlaState.AT_RISK else K.BREACHED
        recipients = self._responsible(ticket) if kind is K.AT_RISK else self._escalation(ticket)
        key = f"sla:{ticket.id}:{deadline.name.lower()}:{state}:{self.now.astimezone(dt.UTC):%Y%m%dT%H%M%S}"
        inbox.post(recipients, kind, ticket, key, self.now, deadline=deadline, schedule=self.schedule, fresh=True,
                   deliveries_of=self._deliveries)

    def _once(self, key, read):
        if key not in self._memo:
            self._memo[key] = read()
        return self._memo[key]

    def _responsible(self, ticket: Ticket) -> list[User]:
        if ticket.assignee is not None and ticket.assignee.active:
            return [ticket.assignee]
        heads = self._once(("heads", ticket.lead_unit_id), lambda: unit_heads(ticket.lead_unit_id)) \
            if ticket.lead_unit_id else []
        return heads or self._once("triage", triage_coordinators)

    def _escalation(self, ticket: Ticket) -> list[User]:
        return self._once(("escalation", ticket.lead_unit_id), lambda: escalation_recipients(ticket))

    def _deliveries(self, users: list[User], kind: NotificationKind) -> dict[int, Delivery]:
        missing = [u for u in users if (u.id, kind) not in self._memo]
        for user_id, delivery in (deliveries(missing, kind) if missing else {}).items():
            self._memo[(user_id, kind)] = delivery
        return {u.id: self._memo[(u.id, kind)] for u in users}
