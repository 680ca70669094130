"""The working calendar: office hours, Vietnamese public holidays and make-up days, admin overrides.

A WorkingCalendar is a plain value (no database access inside), so the arithmetic in sla.py stays a pure
function of (start, duration, calendar). `load_calendar()` takes the overrides from this process's copy,
kept by the reference data's version (data_version.py); overrides.py changes them.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays
from flask import current_app, g
from sqlalchemy import select

from .. import data_version
from ..extensions import db
from ..localtime import local_zone
from ..models import CalendarOverride

# The one default: OFFICE_HOURS in the environment replaces it (config.py reads it, create_app checks it).
DEFAULT_OFFICE_HOURS = "08:00-12:00,13:00-17:00"
WORKING_WEEKDAYS = frozenset(range(5))  # Monday to Friday
REASON_MAX = 200
# Overrides and holidays beyond this range make no sense for a deadline.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class OfficeHoursError(ValueError):
    """Office hours that cannot be used: garbage, empty, or overlapping periods."""


def parse_office_hours(raw: str) -> tuple[tuple[int, int], ...]:
    """"08:00-12:00,13:00-17:00" → ((480, 720), (780, 1020)) in minutes after midnight, sorted."""
    periods = []
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            begin, end = (_minutes(p) for p in part.split("-"))
        except ValueError:
            raise OfficeHoursError(f"office hours must look like 08:00-12:00,13:00-17:00, got {part!r}") from None
        if end <= begin:
            raise OfficeHoursError(f"office hours period {part!r} ends before it begins")
        periods.append((begin, end))
    if not periods:
        raise OfficeHoursError("office hours are empty: give at least one period such as 08:00-17:00")
    periods.sort()
    for (_, end), (begin, _) in itertools.pairwise(periods):
        if begin < end:
            raise OfficeHoursError(f"office hours periods overlap: {raw!r}")
    return tuple(periods)


def _minutes(value: str) -> int:
    hours, minutes = value.strip().split(":")
    if len(hours) not in (1, 2) or len(minutes) != 2:
        raise ValueError(value)
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ValueError(value)
    return h * 60 + m


@functools.lru_cache(maxsize=256)
def _vietnam_year(year: int, language: str = "en_US") -> tuple[frozenset[dt.date], frozenset[dt.date], tuple]:
    """(days off, make-up working Saturdays, named holidays) of one year, from the `holidays` package."""
    vn = holidays.country_holidays("VN", years=year, language=language)
    off = frozenset(d for d in vn if d.year == year)
    makeup = frozenset(d for d in vn.weekend_workdays if d.year == year)
    return off, makeup, tuple(sorted((d, str(name)) for d, name in vn.items() if d.year == year))


def public_holidays(year: int, locale: str = "vi") -> list[tuple[dt.date, str]]:
    """The year's public holidays with their names in Vietnamese (or English)."""
    return list(_vietnam_year(year, "vi" if locale == "vi" else "en_US")[2])


def makeup_days(year: int) -> list[dt.date]:
    return sorted(_vietnam_year(year)[1])


@dataclass(frozen=True)
class WorkingCalendar:
    """Office hours in a time zone, with the dates that differ from the Monday–Friday rule."""

    zone: ZoneInfo
    periods: tuple[tuple[int, int], ...] = field(default_factory=lambda: parse_office_hours(DEFAULT_OFFICE_HOURS))
    overrides: dict[dt.date, bool] = field(default_factory=dict, hash=False, compare=False)

    @property
    def minutes_per_day(self) -> int:
        return sum(end - begin for begin, end in self.periods)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            return day.weekday() in WORKING_WEEKDAYS
        off, makeup, _ = _vietnam_year(day.year)
        if day in makeup:
            return True
        return day.weekday() in WORKING_WEEKDAYS and day not in off


def office_hours() -> tuple[tuple[int, int], ...]:
    return _office_hours(current_app.config.get("OFFICE_HOURS") or DEFAULT_OFFICE_HOURS)


_office_hours = functools.lru_cache(maxsize=8)(parse_office_hours)


def load_calendar() -> WorkingCalendar:
    """The calendar in force: config office hours and every admin override (read once per reference version;
    the dict is shared: read it, never change it)."""
    overrides = data_version.reference_cached("calendar overrides", lambda: dict(
        db.session.execute(select(CalendarOverride.day, CalendarOverride.is_working)).all()))
    return WorkingCalendar(zone=local_zone(), periods=office_hours(), overrides=overrides)


def request_calendar() -> WorkingCalendar:
    """The calendar read once per request (or app context): a page shows many deadlines and ages."""
    if "working_calendar" not in g:
        g.working_calendar = load_calendar()
    return g.working_calendar


def year_overrides(year: int) -> list[CalendarOverride]:
    return list(db.session.scalars(
        select(CalendarOverride).where(CalendarOverride.day >= dt.date(year, 1, 1),
                                       CalendarOverride.day <= dt.date(year, 12, 31))
        .order_by(CalendarOverride.day)))
