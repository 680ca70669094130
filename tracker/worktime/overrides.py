"""Admins declare a date a day off or a working day; open obstacles' deadlines follow the new calendar."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l

from .. import audit
from ..enums import AuditAction
from ..errors import DomainError
from ..extensions import db
from ..models import CalendarOverride
from .calendar import FIRST_YEAR, LAST_YEAR, REASON_MAX
from .deadlines import recompute_open_deadlines


def set_override(day: dt.date | None, is_working: bool, reason: str) -> CalendarOverride:
    """Declare a date a day off or a working day (replacing an earlier override of that date).

    Open obstacles' deadlines from that date on are recomputed with the new calendar.
    """
    if not isinstance(day, dt.date) or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(_l("Enter a valid date (dd/mm/yyyy)."), "day")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason (for example the decision that declares it)."), "reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("The reason is too long (at most %(max)d characters).", max=REASON_MAX), "reason")
    override = db.session.get(CalendarOverride, day) or CalendarOverride(day=day)
    override.is_working = bool(is_working)
    override.reason = reason
    db.session.add(override)
    db.session.flush()
    audit.record(AuditAction.CALENDAR_CHANGED, target=f"CalendarOverride {day.isoformat()}",
                 details={"working_day": override.is_working, "reason": reason})
    recompute_open_deadlines(day)
    return override


def remove_override(day: dt.date) -> None:
    override = db.session.get(CalendarOverride, day)
    if override is None:
        raise DomainError(_l("There is no override on this date."), "day")
    audit.record(AuditAction.CALENDAR_CHANGED, target=f"CalendarOverride {day.isoformat()}",
                 details={"removed": True, "reason": override.reason})
    db.session.delete(override)
    db.session.flush()
    recompute_open_deadlines(day)

