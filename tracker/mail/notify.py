"""Event emails, written to the outbox in the transaction of the change (never sent for a rolled-back one)."""
from __future__ import annotations

import datetime as dt

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..enums import MessageKind, SlaState
from ..extensions import db
from ..models import Event, Message, Ticket
from ..people import escalation_recipients, locality_officers, responsible_people, unit_specialists
from . import outbox


def ticket_url(ticket: Ticket) -> str:
    return f"{current_app.config['BASE_URL']}/tickets/{ticket.reference}"


def notify_locality_of_message(ticket: Ticket, message: Message) -> None:
    """A team reply or the answer reaches the locality; internal notes never do."""
    if message.is_internal:
        return
    kind = message.kind
    if kind == MessageKind.ANSWER:
        subject = _l("[%(reference)s] Your obstacle was answered", reference=ticket.reference)
    else:
        subject = _l("[%(reference)s] New reply to your obstacle", reference=ticket.reference)
    recipients = locality_officers(ticket)
    if kind == MessageKind.ANSWER:  # localities whose obstacles were merged into this one follow its answer
        for duplicate in db.session.scalars(select(Ticket).where(Ticket.duplicate_of_id == ticket.id)):
            recipients += locality_officers(duplicate)
    for user in recipients:
        if user.id != message.author_id:
            outbox.enqueue_email(f"{kind}:{message.id}:user:{user.id}", user, "event_reply", subject,
                                 ticket=ticket, message=message, url=ticket_url(ticket))


def notify_locality_closed(ticket: Ticket, kind: str) -> None:
    """The locality learns its obstacle was merged (kind duplicate) or transferred."""
    subjects = {
        "duplicate": _l("[%(reference)s] Your obstacle was merged into %(main)s", reference=ticket.reference,
                        main=ticket.duplicate_of.reference if ticket.duplicate_of else ""),
        "transferred": _l("[%(reference)s] Your obstacle was transferred to the competent agency",
                          reference=ticket.reference),
    }
    main_url = ticket_url(ticket.duplicate_of) if ticket.duplicate_of else None
    for user in locality_officers(ticket):
        outbox.enqueue_email(f"{kind}:{ticket.id}:user:{user.id}", user, "event_closed", subjects[kind],
                             ticket=ticket, kind=kind, url=ticket_url(ticket), main_url=main_url)


def notify_assigned(ticket: Ticket, version: int) -> None:
    if ticket.assignee is None:
        return
    user = ticket.assignee
    outbox.enqueue_email(f"assigned:{ticket.id}:{version}:user:{user.id}", user, "event_assigned",
                         _l("[%(reference)s] An obstacle was assigned to you", reference=ticket.reference),
                         ticket=ticket, url=ticket_url(ticket))


def notify_routed(ticket: Ticket) -> None:
    """The lead unit learns of a newly routed obstacle: its active specialists, and the unit's own address."""
    unit = ticket.lead_unit
    if unit is None:
        return
    subject = _l("[%(reference)s] A new obstacle for your unit", reference=ticket.reference)
    for user in unit_specialists(unit.id):
        outbox.enqueue_email(f"routed:{ticket.id}:{unit.id}:user:{user.id}", user, "event_routed", subject,
                             ticket=ticket, unit=unit, url=ticket_url(ticket))
    if unit.email:
        with force_locale("vi"):
            context = {"recipient": unit, "ticket": ticket, "unit": unit, "url": ticket_url(ticket)}
            outbox.enqueue(f"routed:{ticket.id}:{unit.id}:unit", unit.email, str(subject),
                           render_template("email/event_routed.txt", **context),
                           render_template("email/event_routed.html", **context))


FIRST_RESPONSE_CLOCK = "first_response_state"


def notify_deadline(ticket: Ticket, clock: str, state: SlaState, event: Event, now: dt.datetime) -> None:
    """A deadline crossing: at risk warns whoever must act now; breached escalates."""
    first_response = clock == FIRST_RESPONSE_CLOCK
    if state is SlaState.AT_RISK:
        recipients = responsible_people(ticket)
        subject = (_l("First response due soon: %(reference)s", reference=ticket.reference) if first_response
                   else _l("Due soon: %(reference)s", reference=ticket.reference))
    else:
        recipients = escalation_recipients(ticket)
        subject = (_l("First response overdue: %(reference)s", reference=ticket.reference) if first_response
                   else _l("Overdue: %(reference)s", reference=ticket.reference))
    due = ticket.first_response_due_at if first_response else ticket.answer_due_at
    prefix = "sla:first_response" if first_response else "sla"
    for user in recipients:
        outbox.enqueue_email(f"{prefix}:{state}:{ticket.id}:user:{user.id}", user, f"sla_{state}", subject,
                             ticket=ticket, url=ticket_url(ticket), due=due, first_response=first_response)
