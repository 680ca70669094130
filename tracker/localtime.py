"""The local time zone (TIMEZONE, Asia/Ho_Chi_Minh by default): where dates people write become UTC moments."""
from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from flask import current_app


def local_zone() -> ZoneInfo:
    return _zone(current_app.config["TIMEZONE"])


@functools.lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)  # a list formats two dates a row: the zone is looked up once


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date of an aware moment, where the user lives."""
    return moment.astimezone(local_zone()).date()


FIRST_YEAR, LAST_YEAR = 2000, 2100  # what a date people type may be; 01/01/0001 or 9999 is a typing slip


def parse_local_date(text: str | None) -> dt.date:
    """dd/mm/yyyy as people write it, or yyyy-mm-dd as a date input sends it, in years 2000 to 2100;
    ValueError otherwise (so no later arithmetic on the date can overflow)."""
    text = (text or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
    raise ValueError(text)


def local_midnight(day: dt.date) -> dt.datetime:
    """00:00 local time of `day`, as an aware UTC moment: the start of that day for filters and reports."""
    return dt.datetime.combine(day, dt.time(), tzinfo=local_zone()).astimezone(dt.UTC)
