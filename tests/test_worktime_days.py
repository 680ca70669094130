"""Whole working days between dates, by arithmetic: the same answer as asking the calendar day by day."""
import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.worktime.calendar import WorkingCalendar
from tracker.worktime.days import WorkingDays

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkingCalendar(zone=VN, overrides={dt.date(2025, 12, 31): False, dt.date(2026, 1, 3): True,
                                               dt.date(2026, 4, 25): True})


def one_by_one(start: dt.date, end: dt.date) -> int:
    return sum(CALENDAR.is_working_day(start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1))


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)), st.integers(-10, 800))
def test_the_count_matches_the_calendar_day_by_day(start, length):
    end = start + dt.timedelta(days=length)
    assert WorkingDays(CALENDAR).between(start, end) == one_by_one(start, end)


def test_holidays_make_up_days_and_overrides_count():
    days = WorkingDays(CALENDAR)
    assert days.between(dt.date(2025, 8, 29), dt.date(2025, 9, 4)) == 2  # 1-2/9/2025: National Day
    # 31/12 declared off, 1/1 a holiday; Friday 2/1, Saturday 3/1 (declared working) and Monday 5/1 count
    assert days.between(dt.date(2025, 12, 30), dt.date(2026, 1, 5)) == 3
    assert days.between(dt.date(2026, 3, 13), dt.date(2026, 3, 13)) == 0
