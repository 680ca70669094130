"""The local time zone (TIMEZONE, Asia/Ho_Chi_Minh by default): where dates people write become UTC moments."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date of an aware moment, where the user lives."""
    return moment.astimezone(local_zone()).date()


def local_midnight(day: dt.date) -> dt.datetime:
    """00:00 local time of `day`, as an aware UTC moment: the start of that day for filters and reports."""
    return dt.datetime.combine(day, dt.time(), tzinfo=local_zone()).astimezone(dt.UTC)
