"""Deadlines in working time: pure arithmetic over a WorkingCalendar.

It walks whole days (a working day is added or skipped in one step) and never touches the database or
the application: time and calendar are arguments. Storing deadlines on tickets is deadlines.py's work.
"""
from __future__ import annotations

import datetime as dt
import math

from ..enums import SlaState
from .calendar import WorkingCalendar

MAX_HOURS = 20_000  # about ten years of working time: anything longer is a typing mistake
AT_RISK_SHARE = 0.75


class DurationError(ValueError):
    """A working duration that is negative, not a number, or absurdly long."""


def working_duration(hours) -> dt.timedelta:
    """Hours (int, float or numeric text) → a timedelta of working time, refusing nonsense."""
    try:
        value = float(hours)
    except (TypeError, ValueError):
        raise DurationError(f"working hours must be a number, got {hours!r}") from None
    if math.isnan(value) or value < 0:
        raise DurationError(f"working hours cannot be negative, got {hours!r}")
    if value > MAX_HOURS:
        raise DurationError(f"working hours must be at most {MAX_HOURS}, got {hours!r}")
    return dt.timedelta(seconds=round(value * 3600))


def _wall(moment: dt.datetime, calendar: WorkingCalendar) -> tuple[dt.date, dt.timedelta]:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware one")
    local = moment.astimezone(calendar.zone)
    return local.date(), dt.timedelta(hours=local.hour, minutes=local.minute, seconds=local.second,
                                      microseconds=local.microsecond)


def _moment(day: dt.date, offset: dt.timedelta, calendar: WorkingCalendar) -> dt.datetime:
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=calendar.zone)
    return (midnight + offset).astimezone(dt.UTC)


def _periods(calendar: WorkingCalendar):
    return [(dt.timedelta(minutes=b), dt.timedelta(minutes=e)) for b, e in calendar.periods]


def add_working_time(start: dt.datetime, duration: dt.timedelta, calendar: WorkingCalendar) -> dt.datetime:
    """The moment `duration` of working time after `start` (aware, UTC).

    A start outside working time begins at the next working minute; a deadline that uses up a period's last
    minute is that period's end (17:00), never the next morning.
    """
    if duration < dt.timedelta(0):
        raise DurationError("working time cannot be negative")
    day, offset = _wall(start, calendar)
    periods = _periods(calendar)
    per_day = dt.timedelta(minutes=calendar.minutes_per_day)
    remaining = duration
    for _ in range(int(MAX_HOURS * 3) + 3660):  # bounded: MAX_HOURS of work spans far fewer days
        if calendar.is_working_day(day):
            if offset <= periods[0][0] and remaining > per_day:
                remaining -= per_day  # a whole working day in one step
            else:
                for begin, end in periods:
                    if offset > end:
                        continue
                    at = max(offset, begin)
                    if remaining <= end - at:
                        return _moment(day, at + remaining, calendar)
                    remaining -= end - at
                    offset = end
        day += dt.timedelta(days=1)
        offset = dt.timedelta(0)
    raise DurationError("the deadline lies too far ahead in this calendar")


def add_working_days(start: dt.datetime, days: int, calendar: WorkingCalendar) -> dt.datetime:
    """`days` whole working days after `start`, a working day being the calendar's office hours."""
    return add_working_time(start, dt.timedelta(minutes=days * calendar.minutes_per_day), calendar)


def working_time_between(start: dt.datetime, end: dt.datetime, calendar: WorkingCalendar) -> dt.timedelta:
    """Working time from start to end; negative when end comes first."""
    if end < start:
        return -working_time_between(end, start, calendar)
    day, offset = _wall(start, calendar)
    last_day, last_offset = _wall(end, calendar)
    periods = _periods(calendar)
    total = dt.timedelta(0)
    while day <= last_day:
        if calendar.is_working_day(day):
            limit = last_offset if day == last_day else dt.timedelta(days=1)
            for begin, finish in periods:
                overlap = min(finish, limit) - max(begin, offset)
                if overlap > dt.timedelta(0):
                    total += overlap
        day += dt.timedelta(days=1)
        offset = dt.timedelta(0)
    return total


def at_risk_moment(start: dt.datetime, due: dt.datetime, paused: dt.timedelta,
                   calendar: WorkingCalendar) -> dt.datetime:
    """When 75 % of the working budget from start to due is used, not counting time spent paused."""
    budget = max(working_time_between(start, due, calendar) - paused, dt.timedelta(0))
    return add_working_time(start, paused + budget * AT_RISK_SHARE, calendar)


def open_state(at_risk_at: dt.datetime | None, due: dt.datetime | None, now: dt.datetime) -> SlaState:
    """on_track / at_risk / breached of an open ticket at `now`."""
    if due is not None and now >= due:
        return SlaState.BREACHED
    if at_risk_at is not None and now >= at_risk_at:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


def finished_state(done_at: dt.datetime, due: dt.datetime | None) -> SlaState:
    return SlaState.MISSED if due is not None and done_at > due else SlaState.MET


def describe_left(now: dt.datetime, due: dt.datetime, calendar: WorkingCalendar) -> tuple[str, int, str]:
    """("left" or "overdue", amount, "days"/"hours"/"minutes") of working time, for display."""
    left = working_time_between(now, due, calendar)
    sign = "left" if left > dt.timedelta(0) else "overdue"
    minutes = int(abs(left.total_seconds()) // 60)
    per_day = calendar.minutes_per_day
    if minutes >= per_day:
        return sign, minutes // per_day, "days"
    if minutes >= 60:
        return sign, minutes // 60, "hours"
    return sign, minutes, "minutes"

