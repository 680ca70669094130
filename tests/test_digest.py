"""Weekly status emails: the right numbers for each recipient, once per week, in few queries."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tracker.enums import Role, Status
from tracker.extensions import db as _db
from tracker.mail.digest import build_digests
from tracker.models import OutboxMessage, Unit
from tracker.weeks import WeekError, parse_week

from .conftest import counting_queries

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WEEK = "2026-W10"  # Monday 2 March – Sunday 8 March 2026


def at(month, day, hour=10):
    return dt.datetime(2026, month, day, hour, tzinfo=VN)


@pytest.fixture
def other_unit(db):
    return db.session.scalar(select(Unit).where(Unit.code == "bo_tai_chinh"))


@pytest.fixture
def seeded(db, make_user, make_ticket, commune_officer, province_coordinator, unit, other_unit, hoan_kiem,
           ba_dinh, ben_thanh, hanoi, hcm):
    """A week of obstacles whose counts are worked out by hand in the tests below."""
    ben_thanh_officer = make_user(Role.COMMUNE, ben_thanh)
    ba_dinh_officer = make_user(Role.COMMUNE, ba_dinh)

    def ticket(name, filer, created, locality=None, *, status=Status.NEW, lead=None, due=None, answered=None,
               closed=None):
        t = make_ticket(filer, locality=locality, title=f"Vướng mắc {name}", now=created)
        t.status, t.lead_unit, t.answer_due_at = status.value, lead, due
        t.answered_at, t.closed_at = answered, closed
        _db.session.commit()
        return t

    tickets = {
        "A": ticket("A", commune_officer, at(2, 25), status=Status.IN_PROGRESS, lead=unit, due=at(3, 4)),
        "B": ticket("B", commune_officer, at(3, 3), status=Status.ASSIGNED, lead=unit, due=at(3, 11)),
        "C": ticket("C", ba_dinh_officer, at(3, 3), status=Status.ANSWERED, lead=unit, due=at(3, 10),
                    answered=at(3, 5)),
        "D": ticket("D", ben_thanh_officer, at(2, 24), status=Status.ANSWERED, lead=other_unit, due=at(3, 2),
                    answered=at(3, 6)),
        "E": ticket("E", province_coordinator, at(3, 4), hanoi, due=at(3, 20)),
        "F": ticket("F", commune_officer, at(3, 10), status=Status.ASSIGNED, lead=unit, due=at(3, 12)),
        "G": ticket("G", ben_thanh_officer, at(2, 26), status=Status.DUPLICATE, closed=at(2, 27)),
    }
    users = {
        "lead": make_user(Role.LEAD, locale="en"),
        "triage": make_user(Role.TRIAGE),
        "specialist": make_user(Role.SPECIALIST, unit=unit),
        "other_specialist": make_user(Role.SPECIALIST, unit=other_unit),
        "hanoi": province_coordinator,
        "hcm": make_user(Role.PROVINCE, hcm),
        "hoan_kiem": commune_officer,
        "ba_dinh": ba_dinh_officer,
        "ben_thanh": ben_thanh_officer,
        "inactive_lead": make_user(Role.LEAD, active=False),
        "admin": make_user(Role.ADMIN),
    }
    return tickets, users


def _by_user(digests):
    return {d.user.id: d for d in digests}


def refs(tickets):
    return [t.title.split()[-1] for t in tickets]


def test_week_labels_are_parsed_strictly(app):
    assert parse_week("2026-W10").first_day == dt.date(2026, 3, 2)
    for bad in ("2026-W60", "2026-W00", "abc", "2026W10", "2026-W1", "", " 2026-W10x"):
        with pytest.raises(WeekError):
            parse_week(bad)
    # 2026 begins on a Thursday, so it has an ISO week 53; 2025 does not.
    assert (parse_week("2026-W53").first_day, parse_week("2026-W53").last_day) == (dt.date(2026, 12, 28),
                                                                                   dt.date(2027, 1, 3))
    with pytest.raises(WeekError, match="2025"):
        parse_week("2025-W53")


def test_team_report_counts_the_week_and_the_week_before(seeded):
    _tickets, users = seeded
    team = _by_user(build_digests(parse_week(WEEK)))[users["triage"].id]
    c, p = team.counts, team.previous
    assert (c.received, c.answered, c.open, c.overdue) == (3, 2, 3, 1)  # B C E / C D / A B E / A
    assert (p.received, p.answered, p.open, p.overdue) == (3, 0, 2, 0)  # A D G / - / A D / -
    assert (c.answered_on_time, c.sla_compliance) == (1, 50)  # C on time, D late
    assert refs(team.overdue) == ["A"] and refs(team.oldest) == ["A", "B", "E"]
    load = {(u.code if u else None): (n.open, n.overdue) for u, n in team.rows}
    assert load == {"moha_tcbc": (2, 1), None: (1, 0)}
    assert [(cat.code, n.received) for cat, n in team.top_categories] == [("bien_che", 3)]
    assert [(prov.code, n.received) for prov, n in team.top_provinces] == [("01", 3)]


def test_unit_report_lists_open_breached_and_due_this_week(seeded):
    _tickets, users = seeded
    digests = _by_user(build_digests(parse_week(WEEK)))
    own = digests[users["specialist"].id]
    assert (own.counts.received, own.counts.answered, own.counts.open, own.counts.overdue) == (2, 1, 2, 1)
    assert refs(own.tickets) == ["A", "B"] and refs(own.overdue) == ["A"]
    assert refs(own.due_next_week) == ["B"]
    other = digests[users["other_specialist"].id]
    assert (other.counts.answered, other.counts.open, refs(other.answered)) == (1, 0, ["D"])


def test_province_report_covers_the_province_and_its_communes(seeded):
    _tickets, users = seeded
    hanoi = _by_user(build_digests(parse_week(WEEK)))[users["hanoi"].id]
    assert (hanoi.counts.received, hanoi.counts.answered, hanoi.counts.open, hanoi.counts.overdue) == (3, 1, 3, 1)
    assert {loc.code: (n.open, n.answered) for loc, n in hanoi.rows} == {
        "00070": (2, 0), "01": (1, 0), "00004": (0, 1)}
    assert refs(hanoi.tickets) == ["A", "B", "E"] and refs(hanoi.answered) == ["C"]


def test_only_communes_with_open_obstacles_and_active_users_get_a_report(seeded):
    _tickets, users = seeded
    digests = _by_user(build_digests(parse_week(WEEK)))
    expected = {"lead", "triage", "specialist", "other_specialist", "hanoi", "hcm", "hoan_kiem"}
    assert set(digests) == {users[name].id for name in expected}
    assert refs(digests[users["hoan_kiem"].id].tickets) == ["A", "B"]


def test_every_recipient_gets_exactly_one_email_with_the_right_numbers(app, db, seeded, smtp_server):
    tickets, users = seeded
    result = app.test_cli_runner().invoke(args=["digest", "send", "--week", WEEK])
    assert result.exit_code == 0, result.output
    assert "7 enqueued" in result.output
    assert "Writing the weekly reports of 2026-W10" in result.output  # a progress bar over the long part
    received = {m["To"]: m for m in smtp_server.messages}
    assert len(smtp_server.messages) == 7 and len(received) == 7
    lead_mail = received[users["lead"].email]
    assert lead_mail["Subject"].startswith("Weekly report 2026-W10 (02/03/2026 – 08/03/2026)")
    triage_mail = received[users["triage"].email]
    assert triage_mail["Subject"].startswith("Báo cáo tuần 2026-W10 (02/03/2026 – 08/03/2026)")
    text = triage_mail.get_body(("plain",)).get_content()
    assert "Tiếp nhận: 3 (tuần trước: 3, 0)" in text and "Quá hạn: 1 (tuần trước: 0, +1)" in text
    assert "Tỷ lệ trả lời đúng hạn: 50% (1/2)" in text
    html = received[users["hoan_kiem"].email].get_body(("html",)).get_content()
    assert f'href="http://tracker.test/tickets/{tickets["A"].reference}"' in html
    assert "<script" not in html and "<img" not in html and "04/03/2026" in html


def test_running_the_digest_again_sends_nothing_new_but_a_new_recipient_gets_theirs(app, db, seeded,
                                                                                   smtp_server, make_user):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["digest", "send", "--week", WEEK]).exit_code == 0
    again = runner.invoke(args=["digest", "send", "--week", WEEK])
    assert "0 enqueued, 7 already" in again.output and len(smtp_server.messages) == 7
    newcomer = make_user(Role.TRIAGE)
    runner.invoke(args=["digest", "send", "--week", WEEK])
    assert len(smtp_server.messages) == 8 and smtp_server.messages[-1]["To"] == newcomer.email


def test_smtp_outage_loses_nothing_and_send_now_delivers_each_once(app, db, seeded, smtp_server):
    smtp_server.stop()
    result = app.test_cli_runner().invoke(args=["digest", "send", "--week", WEEK])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Nothing is lost" in result.output
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert len(rows) == 7 and {r.status for r in rows} == {"pending"} and all(r.last_error for r in rows)
    smtp_server.start()
    assert app.test_cli_runner().invoke(args=["outbox", "send", "--now"]).exit_code == 0
    assert app.test_cli_runner().invoke(args=["outbox", "send", "--now"]).exit_code == 0
    keys = smtp_server.keys()
    assert len(keys) == 7 and len(set(keys)) == 7


def test_malformed_week_is_a_clear_error(app, seeded):
    for bad in ("2026-W60", "abc"):
        result = app.test_cli_runner().invoke(args=["digest", "send", "--week", bad])
        assert result.exit_code == 2 and "--week" in result.output and "Traceback" not in result.output


def test_invalid_address_is_reported_and_the_others_still_go(app, db, seeded, smtp_server, make_user):
    make_user(Role.LEAD, email="khong-hop-le")
    result = app.test_cli_runner().invoke(args=["digest", "send", "--week", WEEK])
    assert result.exit_code == 0 and "'khong-hop-le'" in result.output
    assert len(smtp_server.messages) == 7


def _count_build_queries(week):
    _db.session.expire_all()
    with counting_queries() as statements:
        digests = build_digests(week)
    return len(statements), len(digests)


def test_building_all_reports_takes_the_same_queries_for_5_and_40_tickets(db, make_user, make_ticket, unit,
                                                                          other_unit, make_locality):
    provinces = [make_locality(f"{90 + i:02d}", f"Tỉnh {i}") for i in range(3)]
    communes = [make_locality(f"{30000 + i:05d}", f"Xã {i}", provinces[i % 3]) for i in range(6)]
    officers = [make_user(Role.COMMUNE, commune) for commune in communes]
    for province in provinces:
        make_user(Role.PROVINCE, province)
    make_user(Role.LEAD)
    make_user(Role.SPECIALIST, unit=unit)
    make_user(Role.SPECIALIST, unit=other_unit)

    def seed(n):
        for i in range(n):
            t = make_ticket(officers[i % len(officers)], category_code=("bien_che", "dat_dai")[i % 2],
                            now=at(3, 3 + i % 4))
            t.lead_unit = (unit, other_unit, None)[i % 3]
            t.answer_due_at = at(3, 4 + i % 10)
            if i % 4 == 0:
                t.status, t.answered_at = Status.ANSWERED.value, at(3, 7)
        db.session.commit()

    week = parse_week(WEEK)
    seed(5)
    small, small_digests = _count_build_queries(week)
    seed(35)
    large, large_digests = _count_build_queries(week)
    assert small_digests < large_digests == 12  # more communes with open obstacles, same queries
    assert small == large <= 8, (small, large)
    assert _count_render_queries(week) == 0  # the templates only read what the build loaded


def _count_render_queries(week):
    from tracker.mail.digest_mail import render_digest

    digests = build_digests(week)
    with counting_queries() as statements:
        for digest in digests:
            render_digest(digest)
    return len(statements)
