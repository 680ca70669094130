"""The dashboard's numbers are cached by the tickets' data version: a second look costs no counting query,
and any write to tickets (a flush, a bulk UPDATE, from any session) makes the next look count again."""
import datetime as dt

from sqlalchemy import update

from tracker import data_version
from tracker.enums import Status
from tracker.models import Ticket
from tracker.stats import build_dashboard
from tracker.stats_filters import read_filters

from .conftest import counting_queries

NOW = dt.datetime(2026, 3, 4, 3, 0, tzinfo=dt.UTC)


def board(user, now=NOW):
    return build_dashboard(user, read_filters(user, {}, now.date()), now)


def counting(statements):
    return [s for s in statements if "sum(" in s.lower() or "count(" in s.lower()]


def test_a_second_look_reads_the_cache_and_a_write_makes_it_count_again(db, make_ticket, commune_officer,
                                                                        triage_user):
    data_version.clear()
    make_ticket(commune_officer)
    assert board(triage_user).totals.open == 1
    with counting_queries() as statements:
        assert board(triage_user).totals.open == 1
    assert counting(statements) == []

    make_ticket(commune_officer)  # an ORM flush of a new ticket
    assert board(triage_user).totals.open == 2

    db.session.execute(update(Ticket).values(status=Status.CLOSED.value))  # a bulk statement, no flush
    db.session.commit()
    assert board(triage_user).totals.open == 0


def test_a_rolled_back_write_leaves_the_version_and_each_scope_has_its_own_entry(
        db, make_ticket, commune_officer, triage_user, province_coordinator):
    data_version.clear()
    make_ticket(commune_officer)
    before = data_version.current()
    ticket = db.session.scalar(db.select(Ticket))
    ticket.title = "Đã sửa"
    db.session.flush()
    assert data_version.current() != before
    db.session.rollback()
    assert data_version.current() == before
    assert board(triage_user).totals.open == 1
    assert board(province_coordinator).totals.open == 1
    assert board(triage_user, NOW + dt.timedelta(minutes=1)).totals.open == 1


def test_the_numbers_are_counted_once_a_day_and_a_turning_minute_only_renders_them(db, make_ticket, commune_officer,
                                                                                   triage_user):
    data_version.clear()
    make_ticket(commune_officer)
    assert board(triage_user).totals.open == 1
    for later in (dt.timedelta(minutes=1), dt.timedelta(hours=5)):  # 10:00 and 15:00 in Hà Nội, the same day
        with counting_queries() as statements:
            shown = board(triage_user, NOW + later)
        assert shown.totals.open == 1 and shown.now == NOW + later
        assert counting(statements) == []
    with counting_queries() as statements:
        assert board(triage_user, NOW + dt.timedelta(days=1)).totals.open == 1
    assert counting(statements) != []  # "today" and this week's end moved: counted again
