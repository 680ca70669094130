"""Working-time arithmetic across real Vietnamese calendars (the `holidays` package, country VN)."""
import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.worktime import sla
from tracker.worktime.calendar import WorkingCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkingCalendar(zone=VN)


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN)


def due(start: str, hours: float, calendar: WorkingCalendar = CALENDAR) -> str:
    result = sla.add_working_time(local(start), dt.timedelta(hours=hours), calendar)
    assert result.tzinfo is not None and result.utcoffset() == dt.timedelta(0)
    return result.astimezone(VN).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("start, hours, expected", [
    # Tết 2025: 27/1–1/2 off (25–26/1 and 2/2 are the weekend around it)
    ("2025-01-24T09:00", 8, "2025-02-03T09:00"),
    ("2025-01-29T10:00", 4, "2025-02-03T12:00"),          # a start on a holiday
    ("2025-01-24T16:30", 1, "2025-02-03T08:30"),
    # Tết 2026: 16–20/2 off, 14–15 and 21–22/2 weekends
    ("2026-02-13T10:00", 8, "2026-02-23T10:00"),
    ("2026-02-13T16:00", 2, "2026-02-23T09:00"),
    ("2026-02-17T09:00", 1, "2026-02-23T09:00"),
    # 30/4 and 1/5/2025, 2/5/2025 swapped for the working Saturday 26/4/2025
    ("2025-04-29T09:00", 8, "2025-05-05T09:00"),
    ("2025-04-30T09:00", 8, "2025-05-05T17:00"),
    ("2025-04-25T16:00", 2, "2025-04-26T09:00"),
    ("2025-04-26T08:00", 8, "2025-04-26T17:00"),
    ("2025-04-26T16:00", 2, "2025-04-28T09:00"),
    # 1/9 and 2/9/2025 off
    ("2025-08-29T16:00", 2, "2025-09-03T09:00"),
    ("2025-09-02T10:00", 1, "2025-09-03T09:00"),
    # lunch breaks, evenings, weekends
    ("2025-01-03T11:30", 1, "2025-01-03T13:30"),
    ("2025-01-03T12:30", 1, "2025-01-03T14:00"),
    ("2025-01-03T08:00", 4, "2025-01-03T12:00"),           # the morning's last minute: 12:00, not 13:00
    ("2025-01-02T18:00", 1, "2025-01-03T09:00"),
    ("2025-01-03T06:00", 1, "2025-01-03T09:00"),
    ("2025-01-04T10:00", 1, "2025-01-06T09:00"),
    ("2025-01-02T18:00", 0, "2025-01-03T08:00"),
    # a day's last working minute is that day's 17:00, not the next morning
    ("2025-01-03T13:00", 4, "2025-01-03T17:00"),
    ("2025-01-03T08:00", 8, "2025-01-03T17:00"),
    ("2025-01-02T17:00", 8, "2025-01-03T17:00"),
    # minutes
    ("2025-01-03T16:59", 1 / 60, "2025-01-03T17:00"),
    ("2025-01-03T16:59", 2 / 60, "2025-01-06T08:01"),
    ("2025-01-03T11:45", 0.5, "2025-01-03T13:15"),
    # 60 working days (480 h): across Tết 2025, and across Hùng Kings, 30/4–2/5 and the working Saturday
    ("2025-01-02T08:00", 480, "2025-04-02T17:00"),
    ("2025-01-01T10:00", 480, "2025-04-02T17:00"),
    ("2025-03-03T08:00", 480, "2025-05-28T17:00"),
])
def test_deadline_in_working_time(start, hours, expected):
    assert due(start, hours) == expected


def test_admin_day_off_pushes_the_deadline():
    calendar = WorkingCalendar(zone=VN, overrides={dt.date(2025, 1, 3): False})
    assert due("2025-01-02T16:00", 2, calendar) == "2025-01-06T09:00"


def test_admin_working_saturday_counts():
    calendar = WorkingCalendar(zone=VN, overrides={dt.date(2025, 1, 4): True})
    assert due("2025-01-03T16:00", 2, calendar) == "2025-01-04T09:00"


def test_start_given_in_utc_is_read_in_local_time():
    start = dt.datetime(2025, 1, 3, 1, 0, tzinfo=dt.UTC)  # 08:00 in Hà Nội
    result = sla.add_working_time(start, dt.timedelta(hours=1), CALENDAR)
    assert result == dt.datetime(2025, 1, 3, 2, 0, tzinfo=dt.UTC)


def test_other_office_hours():
    calendar = WorkingCalendar(zone=VN, periods=((450, 690), (810, 1050)))  # 07:30–11:30, 13:30–17:30
    assert due("2025-01-03T11:00", 1, calendar) == "2025-01-03T14:00"
    assert due("2025-01-03T13:30", 4, calendar) == "2025-01-03T17:30"


@pytest.mark.parametrize("hours", [-1, "-0.5", "abc", None, float("nan"), sla.MAX_HOURS + 1, "1e9"])
def test_bad_durations_are_refused(hours):
    with pytest.raises(sla.DurationError):
        sla.working_duration(hours)


def test_naive_start_is_refused():
    with pytest.raises(ValueError):
        sla.add_working_time(dt.datetime(2025, 1, 3, 9), dt.timedelta(hours=1), CALENDAR)


def test_working_time_between_skips_breaks_and_holidays():
    assert sla.working_time_between(local("2025-01-24T16:00"), local("2025-02-03T09:00"), CALENDAR) \
        == dt.timedelta(hours=2)
    assert sla.working_time_between(local("2025-02-03T09:00"), local("2025-01-24T16:00"), CALENDAR) \
        == -dt.timedelta(hours=2)
    assert sla.working_time_between(local("2025-01-03T11:00"), local("2025-01-03T14:00"), CALENDAR) \
        == dt.timedelta(hours=2)


def test_describe_left_in_days_hours_and_overdue():
    now = local("2025-01-02T08:00")
    assert sla.describe_left(now, local("2025-01-06T08:00"), CALENDAR) == ("left", 2, "days")
    assert sla.describe_left(local("2025-01-06T11:00"), local("2025-01-06T08:00"), CALENDAR) \
        == ("overdue", 3, "hours")


# --- properties -------------------------------------------------------------------------------------

_VN_HOLIDAYS = holidays.country_holidays("VN", years=range(2024, 2028))
starts = st.datetimes(min_value=dt.datetime(2024, 12, 1), max_value=dt.datetime(2026, 12, 31),
                      timezones=st.just(VN)).map(lambda d: d.replace(second=0, microsecond=0))
minutes = st.integers(min_value=0, max_value=480 * 60)


def _inside_working_time(moment: dt.datetime) -> bool:
    wall = moment.astimezone(VN)
    minute = wall.hour * 60 + wall.minute
    in_period = any(begin <= minute <= end for begin, end in CALENDAR.periods)
    return _VN_HOLIDAYS.is_working_day(wall.date()) and in_period


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(starts, minutes)
def test_result_is_always_inside_working_time(start, duration):
    assert _inside_working_time(sla.add_working_time(start, dt.timedelta(minutes=duration), CALENDAR))


@settings(max_examples=200, deadline=None)
@given(starts, st.integers(min_value=0, max_value=80 * 60), st.integers(min_value=1, max_value=80 * 60))
def test_adding_a_then_b_equals_adding_a_plus_b(start, a, b):
    one = sla.add_working_time(sla.add_working_time(start, dt.timedelta(minutes=a), CALENDAR),
                               dt.timedelta(minutes=b), CALENDAR)
    both = sla.add_working_time(start, dt.timedelta(minutes=a + b), CALENDAR)
    assert one == both


@settings(max_examples=100, deadline=None)
@given(starts, st.integers(min_value=1, max_value=24 * 4))
def test_agrees_with_a_quarter_hour_walk_over_the_package_calendar(start, quarters):
    """An independent, slow reference: walk quarter-hours, counting those inside working time."""
    start = start.replace(minute=start.minute - start.minute % 15)
    moment, left = start.astimezone(VN), quarters
    while left:
        step_end = moment + dt.timedelta(minutes=15)
        if _inside_working_time(moment) and _inside_working_time(step_end) \
                and (moment.hour * 60 + moment.minute) not in [e for _, e in CALENDAR.periods]:
            left -= 1
        moment = step_end
    assert sla.add_working_time(start, dt.timedelta(minutes=15 * quarters), CALENDAR) == moment.astimezone(dt.UTC)


@settings(max_examples=100, deadline=None)
@given(starts, minutes)
def test_working_time_between_inverts_adding(start, duration):
    end = sla.add_working_time(start, dt.timedelta(minutes=duration), CALENDAR)
    begin = sla.add_working_time(start, dt.timedelta(0), CALENDAR)
    assert sla.working_time_between(begin, end, CALENDAR) == dt.timedelta(minutes=duration)
