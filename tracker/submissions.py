"""The same filing form sent twice (a double click, a resend after a slow answer) files one obstacle.

A filing form carries a one-time token issued with it. Filing claims the token first, with a row whose key
is the token: a second request with it, even one running at the same moment in another worker or on
another host, cannot insert that row again, and answers with the obstacle the first request filed.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached

from .errors import DomainError
from .extensions import db
from .models import FormSubmission, Ticket, User

TOKEN = re.compile(r"[0-9a-f]{32}")


class AlreadySubmitted(DomainError):
    """This form filed an obstacle already: the caller shows that one."""

    category = "info"

    def __init__(self, reference: str):
        super().__init__(_l("This obstacle was already sent (the form was submitted twice): it is %(reference)s.",
                            reference=reference))
        self.reference = reference


def new_token() -> str:
    return uuid.uuid4().hex


def claim(user: User, token: str | None, now: dt.datetime) -> FormSubmission | None:
    """Take the form's token for this filing; None when the form carries none (API, scripts).

    Raises AlreadySubmitted when the token filed an obstacle already (waiting, on PostgreSQL, for a
    request that holds it right now to finish), and DomainError when it is another user's.
    """
    if not token or not TOKEN.fullmatch(token):
        return None
    # One statement, no savepoint: the row is ours when it went in (PostgreSQL makes a concurrent insert of the
    # same token wait for the first transaction, then do nothing).
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    values = {"token": token, "user_id": user.id, "created_at": now}
    claimed = db.session.execute(insert(FormSubmission).values(**values).on_conflict_do_nothing(
        index_elements=["token"]).returning(FormSubmission.token)).scalar()
    if claimed is not None:
        submission = FormSubmission(ticket_id=None, **values)
        make_transient_to_detached(submission)  # the row exists: the session tracks it without inserting it
        db.session.add(submission)
        return submission
    earlier = db.session.scalar(select(FormSubmission).where(FormSubmission.token == token)
                                .execution_options(populate_existing=True))
    if earlier is not None and earlier.user_id == user.id and earlier.ticket is not None:
        raise AlreadySubmitted(earlier.ticket.reference)
    raise DomainError(_l("This form was already used. Reload the page to file a new obstacle."))


def record_result(submission: FormSubmission | None, ticket: Ticket) -> None:
    if submission is not None:
        submission.ticket_id = ticket.id
