"""How fast are deadlines? Computes many 60-working-day deadlines (and a year-long one) on the real VN calendar.

Run with `make bench-sla`; speed is checked here, never by timed assertions in tests.
"""
import datetime as dt
import random
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.worktime import sla
from tracker.worktime.calendar import WorkingCalendar


def main(count: int = 10_000) -> None:
    calendar = WorkingCalendar(zone=ZoneInfo("Asia/Ho_Chi_Minh"))
    rng = random.Random(42)
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    starts = [base + dt.timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60)) for _ in range(count)]
    sla.add_working_time(base, dt.timedelta(hours=8), calendar)  # warm the holiday cache
    began = time.perf_counter()
    for start in starts:
        sla.add_working_time(start, dt.timedelta(hours=480), calendar)
    elapsed = time.perf_counter() - began
    print(f"{count} deadlines of 60 working days: {elapsed:.2f}s ({elapsed / count * 1e6:.0f} µs each)")
    began = time.perf_counter()
    sla.add_working_time(base, dt.timedelta(hours=8 * 250), calendar)
    print(f"one deadline a working year away: {(time.perf_counter() - began) * 1e3:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
