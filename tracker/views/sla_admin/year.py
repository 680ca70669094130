"""A year laid out as months of weeks, each day marked working / weekend / holiday / make-up / override."""
import calendar as month_layout
import datetime as dt

from ...worktime.calendar import WorkingCalendar, makeup_days, public_holidays


def year_months(year: int, calendar: WorkingCalendar, overrides,
                locale: str) -> list[tuple[int, list[list[dict | None]]]]:
    overridden = {o.day: o for o in overrides}
    makeup = set(makeup_days(year))
    holidays = dict(public_holidays(year, locale))
    months = []
    for month in range(1, 13):
        weeks = []
        for week in month_layout.Calendar().monthdatescalendar(year, month):
            weeks.append([_day(d, calendar, holidays, makeup, overridden) if d.month == month else None
                          for d in week])
        months.append((month, weeks))
    return months


def _day(day: dt.date, calendar: WorkingCalendar, holidays, makeup, overridden) -> dict:
    if day in overridden:
        kind = "override-working" if overridden[day].is_working else "override-off"
        title = overridden[day].reason
    elif day in makeup:
        kind, title = "makeup", ""
    elif day in holidays:
        kind, title = "holiday", holidays[day]
    else:
        kind, title = ("working" if calendar.is_working_day(day) else "weekend"), ""
    return {"day": day, "kind": kind, "title": title, "working": calendar.is_working_day(day)}
