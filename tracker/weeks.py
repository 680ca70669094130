"""ISO weeks in local time (Asia/Ho_Chi_Minh by default): what a weekly report covers."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .localtime import local_date, local_midnight

_WEEK = re.compile(r"(\d{4})-W(\d{2})")


class WeekError(ValueError):
    """A week label that names no ISO week; the message is for the user (lazily translated)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=6)

    @property
    def start(self) -> dt.datetime:
        """Monday 00:00 local time, as an aware UTC datetime."""
        return local_midnight(self.first_day)

    @property
    def end(self) -> dt.datetime:
        """The next Monday 00:00 local time (exclusive)."""
        return local_midnight(self.first_day + dt.timedelta(days=7))

    @property
    def previous(self) -> Week:
        return week_of(self.first_day - dt.timedelta(days=7))

    @property
    def following(self) -> Week:
        return week_of(self.first_day + dt.timedelta(days=7))

    def __str__(self) -> str:
        return self.label


def week_of(day: dt.date) -> Week:
    year, number, _ = day.isocalendar()
    return Week(year, number)


def parse_week(text: str | None) -> Week:
    """Strictly `YYYY-Www` naming a real ISO week: `2026-W60` and `abc` are refused clearly."""
    value = (text or "").strip()
    match = _WEEK.fullmatch(value)
    if not match:
        raise WeekError(_l("The week must be written like 2026-W48 (year, W, week number); got “%(value)s”.",
                           value=value[:20]))
    year, number = int(match.group(1)), int(match.group(2))
    try:
        dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise WeekError(_l("%(year)d has no ISO week %(number)d.", year=year, number=number)) from None
    return Week(year, number)


def last_week(now: dt.datetime) -> Week:
    """The ISO week that ended most recently, in local time."""
    return week_of(local_date(now) - dt.timedelta(days=7))
