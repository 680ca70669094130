"""Whole working days between two dates, fast enough for every row of a page: weekdays by arithmetic, then
the few dates that differ from the Monday–Friday rule (holidays, make-up Saturdays, overrides), never a
loop over the days in between."""
from __future__ import annotations

import bisect
import datetime as dt
import itertools

from ..enums import Status
from .calendar import FIRST_YEAR, LAST_YEAR, WorkingCalendar, _vietnam_year


def _weekdays_through(day: dt.date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) to `day`, inclusive."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


class WorkingDays:
    """Counts working days for one calendar; build one per page, not per row."""

    def __init__(self, calendar: WorkingCalendar):
        self.calendar = calendar
        self._years: dict[int, tuple[list[dt.date], list[int]]] = {}

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end is not after start)."""
        if end <= start:
            return 0
        days = _weekdays_through(end) - _weekdays_through(start)
        for year in range(start.year, end.year + 1):
            dates, running = self._exceptions(year)
            first = bisect.bisect_right(dates, start)
            last = bisect.bisect_right(dates, end)
            days += (running[last] - running[first])
        return days

    def _exceptions(self, year: int) -> tuple[list[dt.date], list[int]]:
        """The year's dates whose working status differs from the weekday rule, with running totals of the
        difference (+1 a working weekend day, -1 a weekday off)."""
        if year not in self._years:
            candidates = {day for day in self.calendar.overrides if day.year == year}
            if FIRST_YEAR <= year <= LAST_YEAR:
                off, makeup, _ = _vietnam_year(year)
                candidates |= off | makeup
            dates, deltas = [], []
            for day in sorted(candidates):
                delta = int(self.calendar.is_working_day(day)) - int(day.weekday() < 5)
                if delta:
                    dates.append(day)
                    deltas.append(delta)
            self._years[year] = (dates, [0, *itertools.accumulate(deltas)])
        return self._years[year]


# The statuses in which the answer deadline runs (awaiting the locality pauses it; answered stops it).
RUNNING = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS})


def ages(tickets, now: dt.datetime, calendar: WorkingCalendar) -> dict[int, tuple[int, int | None]]:
    """Per ticket id: (working days since it was filed, until it finished for a finished one; working days
    overdue, None when its deadline is not passed or not running). A deadline passed today counts as 1."""
    counter = WorkingDays(calendar)

    def day(moment: dt.datetime) -> dt.date:
        return moment.astimezone(calendar.zone).date()

    today = day(now)
    facts = {}
    for ticket in tickets:
        age = counter.between(day(ticket.created_at), day(ticket.closed_at) if ticket.closed_at else today)
        overdue = None
        due = ticket.answer_due_at
        if due is not None and due <= now and ticket.status in RUNNING:
            overdue = max(counter.between(day(due), today), 1)
        facts[ticket.id] = (age, overdue)
    return facts
