"""Finding reference rows (units, categories, localities) by the codes people and other systems use."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .errors import DomainError
from .extensions import db

CHOOSE_FROM_LIST = _l("Choose a value from the list.")


def by_code(model, code: str | None):
    """The row with this code (codes are unique), or None when the code is empty or names nothing."""
    code = (code or "").strip()
    if not code:
        return None
    return db.session.scalar(select(model).where(model.code == code))


def chosen(model, code: str | None, field: str, message=CHOOSE_FROM_LIST):
    """A code picked in a form or sent by the API: empty means none chosen; a code that names nothing is
    refused, never read as 'none'."""
    if not (code or "").strip():
        return None
    found = by_code(model, code)
    if found is None:
        raise DomainError(message, field)
    return found
