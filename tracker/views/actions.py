"""One commit point per request: a route calls one domain action through `perform`, which commits once,
or rolls back and puts the refusal where the user will read it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from ..errors import DomainError, StaleTicket
from ..extensions import db

STALE = _l("Someone else changed this obstacle while you were editing it. "
           "Review the latest version below and try again.")


@dataclass
class Result:
    value: Any = None
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def stale(self) -> bool:
        return isinstance(self.error, StaleTicket)


def attempt(action: Callable[[], Any]) -> Result:
    """Run the domain action and commit once; on a refusal roll back everything and return it (the API
    answers it as JSON). A concurrent change caught at flush time reads as stale."""
    try:
        value = action()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return Result(error=StaleTicket(STALE, "version"))
    except DomainError as error:
        db.session.rollback()
        return Result(error=error)
    return Result(value)


def perform(action: Callable[[], Any], form: FlaskForm | None = None,
            summary: Callable[[Any], str] | None = None) -> Result:
    """`attempt` for pages: a refusal about a field of `form` goes beside that field; any other refusal is
    flashed on top of the page (the form may not even be shown). `summary(reason)` words a flash for every
    refusal, for pages where the field alone would not say what was refused."""
    result = attempt(action)
    if not result.ok:
        _report(result.error, form, summary)
    return result


def _report(error: DomainError, form: FlaskForm | None, summary) -> None:
    field = getattr(form, error.field, None) if form is not None and error.field else None
    placed = field is not None and hasattr(field, "errors") and not isinstance(error, StaleTicket)
    if placed:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    if summary is not None:
        flash(summary(error.message), "danger")
    elif not placed:
        flash(str(error.message), getattr(error, "category", "danger"))
