"""Filing on behalf: triage records an obstacle that arrived by dispatch, hotline or a working group."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l

from . import permissions
from .enums import Channel
from .errors import DomainError
from .history import record
from .localtime import local_date
from .models import Category, Locality, Ticket, User, utcnow
from .tickets import file_ticket

DOC_NUMBER_MAX = 100
OFFLINE_CHANNELS = tuple(c for c in Channel if c is not Channel.WEB)


def file_on_behalf(user: User, *, locality: Locality | None, category: Category | None, title: str,
                   description: str, legal_basis: str = "", requested_urgency: str = "normal", channel: str,
                   incoming_doc_number: str | None, incoming_doc_date: dt.date | None,
                   now: dt.datetime | None = None, files=(), submission: str | None = None) -> Ticket:
    """File for any locality, recording the channel and the incoming document (its scan among the files); a
    dispatch needs its number and date."""
    now = now or utcnow()
    if not permissions.can_triage(user):
        raise DomainError(_l("You may not file on behalf of a locality."))
    if locality is None:
        raise DomainError(_l("Enter the code of a province or commune."), "locality")
    if channel not in {c.value for c in OFFLINE_CHANNELS}:
        raise DomainError(_l("Choose how the obstacle arrived."), "channel")
    number = (incoming_doc_number or "").strip()
    if len(number) > DOC_NUMBER_MAX:
        raise DomainError(_l("%(field)s is too long (at most %(max)d characters).",
                             field=_l("Document number"), max=DOC_NUMBER_MAX), "incoming_doc_number")
    if channel == Channel.DISPATCH.value and not number:
        raise DomainError(_l("An official dispatch needs its document number."), "incoming_doc_number")
    if channel == Channel.DISPATCH.value and incoming_doc_date is None:
        raise DomainError(_l("An official dispatch needs its document date."), "incoming_doc_date")
    if incoming_doc_date is not None and incoming_doc_date > local_date(now):
        raise DomainError(_l("The document date cannot be in the future."), "incoming_doc_date")
    ticket = file_ticket(user, locality=locality, category=category, title=title, description=description,
                         legal_basis=legal_basis, requested_urgency=requested_urgency, channel=channel,
                         incoming_doc_number=number or None, incoming_doc_date=incoming_doc_date, now=now,
                         files=files, submission=submission)
    record(ticket, user, "filed_on_behalf", "channel", None, channel, at=now)
    return ticket
