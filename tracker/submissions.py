"""The same filing form sent twice (a double click, a resend after a slow answer) files one obstacle.

A filing form carries a one-time token issued with it. Filing takes the token with a row whose key is the
token, written with the new obstacle's id right after the obstacle (one statement): a second request with
it, even one running at the same moment in another worker or on another host, cannot insert that row
again, rolls back the obstacle it was filing and answers with the one the first request filed. Two such
requests never both get that far at once: the year's reference counter, taken before, makes the second wait
for the first to commit.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from .errors import DomainError
from .extensions import db
from .models import FormSubmission, Ticket, User

TOKEN = re.compile(r"[0-9a-f]{32}")
# The token's row, inserted unless it exists (built once, on the table: Core's path, not the ORM's bulk insert;
# [True] on PostgreSQL).
_TABLE = FormSubmission.__table__
_TAKE = {postgres: dialect.insert(_TABLE).on_conflict_do_nothing(index_elements=["token"]).returning(_TABLE.c.token)
         for postgres, dialect in ((True, postgresql), (False, sqlite))}


class AlreadySubmitted(DomainError):
    """This form filed an obstacle already: the caller shows that one."""

    category = "info"

    def __init__(self, reference: str):
        super().__init__(_l("This obstacle was already sent (the form was submitted twice): it is %(reference)s.",
                            reference=reference))
        self.reference = reference


def new_token() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Claim:
    """A filing form's token, to be taken with the obstacle it files (`record_result`)."""

    token: str
    user_id: int
    created_at: dt.datetime


def claim(user: User, token: str | None, now: dt.datetime) -> Claim | None:
    """The form's token for this filing; None when the form carries none (API, scripts). No statement: the
    row is written with the obstacle (`record_result`)."""
    if not token or not TOKEN.fullmatch(token):
        return None
    return Claim(token=token, user_id=user.id, created_at=now)


def record_result(claimed: Claim | None, ticket: Ticket) -> None:
    """Take the token for the obstacle just inserted (flushed).

    Raises AlreadySubmitted when the token filed an obstacle already (waiting, on PostgreSQL, for a request
    that holds it right now to finish), and DomainError when it is another user's; the caller rolls back.
    """
    if claimed is None:
        return
    # One statement, no savepoint: PostgreSQL makes a concurrent insert of the same token wait for the first
    # transaction, then do nothing.
    taken = db.session.execute(_TAKE[db.engine.dialect.name == "postgresql"], {
        "token": claimed.token, "user_id": claimed.user_id, "ticket_id": ticket.id,
        "created_at": claimed.created_at}).scalar()
    if taken is not None:
        return
    earlier = db.session.scalar(select(FormSubmission).where(FormSubmission.token == claimed.token)
                                .execution_options(populate_existing=True))
    if earlier is not None and earlier.user_id == claimed.user_id and earlier.ticket is not None:
        raise AlreadySubmitted(earlier.ticket.reference)
    raise DomainError(_l("This form was already used. Reload the page to file a new obstacle."))
