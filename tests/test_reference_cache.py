"""Filing takes the reference data (categories, the calendar's overrides, SLA policies, routing rules) from a
copy each process keeps by the reference data's version: an admin's change, made through the app or by
another process, is seen by the very next filing; a filing's own round-robin turn does not wear the copy out."""
import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tracker import data_version
from tracker.enums import Role, Status
from tracker.models import CalendarOverride, Category, RoutingRule, Ticket
from tracker.routing import Strategy
from tracker.worktime import calendar, deadlines, overrides

from .conftest import counting_queries

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FILED = dt.datetime(2025, 1, 2, 9, tzinfo=VN)  # a Thursday: the first response (16 working hours) due Mon 6/1 09:00
FORM = {"category": "bien_che", "title": "Vướng mắc biên chế", "description": "Đề nghị hướng dẫn.", "urgency": "normal"}


@pytest.fixture
def admin_client(app, login, make_user):
    return login(make_user(Role.ADMIN, name="Quản trị"), test_client=app.test_client())


@pytest.fixture
def commune_client(app, login, commune_officer):
    return login(commune_officer, test_client=app.test_client())


def file_through_the_form(db, client, **fields) -> Ticket | None:
    response = client.post("/tickets/new", data={**FORM, **fields})
    if response.status_code != 302:
        return None
    db.session.expire_all()
    return db.session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))


def first_response_due(ticket: Ticket) -> dt.datetime:
    return ticket.first_response_due_at.astimezone(VN)


def test_the_reference_data_is_read_once_for_a_filing_and_not_again_for_the_next(db, commune_client):
    assert file_through_the_form(db, commune_client) is not None  # this process's copy made
    with counting_queries() as statements:
        assert file_through_the_form(db, commune_client, title="Lần hai") is not None
    tables = ("FROM categories", "FROM calendar_overrides", "FROM sla_policies", "FROM routing_rules")
    assert not [s for s in statements if any(table in s for table in tables)]


def test_a_category_an_admin_adds_or_retires_is_seen_by_the_next_filing(db, admin_client, commune_client):
    assert file_through_the_form(db, commune_client, category="dat_dai") is not None
    assert admin_client.post("/admin/categories/new", data={"code": "moi", "name": "Lĩnh vực mới",
                                                           "active": "y"}).status_code == 302
    dat_dai = db.session.scalar(select(Category).where(Category.code == "dat_dai"))
    assert admin_client.post(f"/admin/categories/{dat_dai.id}", data={"code": "dat_dai", "name": dat_dai.name,
                                                                      "active": ""}).status_code == 302

    form = commune_client.get("/tickets/new").get_data(as_text=True)
    assert "Lĩnh vực mới" in form and dat_dai.name not in form
    assert file_through_the_form(db, commune_client, category="moi").category.code == "moi"
    refused = commune_client.post("/tickets/new", data={**FORM, "category": "dat_dai"})
    assert refused.status_code == 422 and "Chọn lĩnh vực trong danh sách" in refused.get_data(as_text=True)


def test_a_category_renamed_by_an_admin_is_listed_by_its_new_name(db, admin_client, commune_client):
    assert "Biên chế" in commune_client.get("/tickets/new").get_data(as_text=True)
    bien_che = db.session.scalar(select(Category).where(Category.code == "bien_che"))
    admin_client.post(f"/admin/categories/{bien_che.id}", data={"code": "bien_che", "name": "Tổ chức biên chế",
                                                                "active": "y"})
    assert "Tổ chức biên chế" in commune_client.get("/tickets/new").get_data(as_text=True)


def test_a_day_off_an_admin_declares_moves_the_next_filings_deadline(db, client, login, admin_client,
                                                                     commune_officer, make_ticket):
    assert first_response_due(make_ticket(commune_officer, now=FILED)) == dt.datetime(2025, 1, 6, 9, tzinfo=VN)
    admin_client.post("/admin/sla/overrides", data={"day": "2025-01-03", "kind": "off", "reason": "Nghỉ đột xuất"})
    assert first_response_due(make_ticket(commune_officer, now=FILED)) == dt.datetime(2025, 1, 7, 9, tzinfo=VN)
    admin_client.post("/admin/sla/overrides/2025-01-03/delete")
    assert first_response_due(make_ticket(commune_officer, now=FILED)) == dt.datetime(2025, 1, 6, 9, tzinfo=VN)


def test_an_sla_policy_an_admin_changes_sets_the_next_filings_deadline(db, admin_client, commune_officer,
                                                                       make_ticket):
    assert first_response_due(make_ticket(commune_officer, now=FILED)) == dt.datetime(2025, 1, 6, 9, tzinfo=VN)
    admin_client.post("/admin/sla/policies", data={"urgency": "thuong", "category": "",
                                                   "first_response_hours": "8", "answer_hours": "40"})
    assert first_response_due(make_ticket(commune_officer, now=FILED)) == dt.datetime(2025, 1, 3, 9, tzinfo=VN)
    admin_client.post("/admin/sla/policies", data={"urgency": "thuong", "category": "bien_che",
                                                   "first_response_hours": "4", "answer_hours": "40"})
    assert first_response_due(make_ticket(commune_officer, now=FILED)) == dt.datetime(2025, 1, 2, 14, tzinfo=VN)
    assert first_response_due(make_ticket(commune_officer, now=FILED, category_code="dat_dai")) == dt.datetime(
        2025, 1, 3, 9, tzinfo=VN)


def test_a_routing_rule_an_admin_adds_then_retires_routes_the_next_filing_then_no_more(db, admin_client,
                                                                                       commune_client, unit):
    assert file_through_the_form(db, commune_client).lead_unit_id is None
    assert admin_client.post("/admin/rules/new", data={"category": "bien_che", "province": "", "keyword": "",
                                                      "unit": "moha_tcbc", "strategy": "none",
                                                      "active": "y"}).status_code == 302
    routed = file_through_the_form(db, commune_client)
    assert (routed.lead_unit_id, routed.status) == (unit.id, Status.ASSIGNED.value)
    rule = db.session.scalar(select(RoutingRule))
    admin_client.post(f"/admin/rules/{rule.id}", data={"position": "10", "category": "bien_che", "province": "",
                                                       "keyword": "", "unit": "moha_tcbc", "strategy": "none",
                                                       "active": ""})
    assert file_through_the_form(db, commune_client).lead_unit_id is None


def test_a_keyword_rule_matches_the_folded_title(db, admin_client, commune_client, unit):
    admin_client.post("/admin/rules/new", data={"category": "", "province": "", "keyword": "  Biên Chế ",
                                               "unit": "moha_tcbc", "strategy": "none", "active": "y"})
    assert file_through_the_form(db, commune_client, title="Vuong mac BIEN CHE cap xa").lead_unit_id == unit.id
    assert file_through_the_form(db, commune_client, title="Vướng mắc đất đai").lead_unit_id is None


def test_a_round_robin_turn_does_not_change_the_reference_version(db, commune_client, unit, make_user):
    first, second = (make_user(Role.SPECIALIST, unit=unit) for _ in range(2))
    db.session.add(RoutingRule(position=10, unit=unit, keyword="biên chế", strategy=Strategy.ROUND_ROBIN.value))
    db.session.commit()
    version = data_version.current(data_version.REFERENCE)
    assignees = [file_through_the_form(db, commune_client, title=f"Biên chế {n}").assignee_id for n in range(3)]
    assert assignees == [first.id, second.id, first.id]
    assert data_version.current(data_version.REFERENCE) == version


def test_two_calendar_changes_in_one_transaction_both_move_the_deadlines(db, commune_officer, make_ticket):
    ticket = make_ticket(commune_officer, now=FILED)
    overrides.set_override(dt.date(2025, 1, 3), False, "Nghỉ đột xuất")
    overrides.set_override(dt.date(2025, 1, 6), False, "Nghỉ bù")  # the copy made for the first change is stale
    db.session.commit()
    db.session.refresh(ticket)
    assert first_response_due(ticket) == dt.datetime(2025, 1, 8, 9, tzinfo=VN)


def test_a_change_not_yet_flushed_is_seen_by_the_calendar(db, commune_officer, make_ticket):
    ticket = make_ticket(commune_officer, now=FILED)
    assert calendar.load_calendar().overrides == {}  # the version read in this transaction, the copy made
    db.session.add(CalendarOverride(day=dt.date(2025, 1, 3), is_working=False, reason="Nghỉ"))
    deadlines.set_deadlines(ticket, now=FILED)
    assert first_response_due(ticket) == dt.datetime(2025, 1, 7, 9, tzinfo=VN)
    db.session.rollback()


CHANGES_IN_ANOTHER_PROCESS = textwrap.dedent("""
    import datetime as dt, sys
    from sqlalchemy import select
    from config import TestConfig
    from tracker import catalog, create_app
    from tracker.extensions import db
    from tracker.models import Category, Unit
    from tracker.worktime import overrides, policies

    app = create_app(TestConfig(sys.argv[1]))
    with app.app_context():
        overrides.set_override(dt.date(2025, 1, 3), False, "Nghỉ đột xuất")
        policies.save_policy("thuong", None, 16, 40)
        unit = db.session.scalar(select(Unit).where(Unit.code == "moha_tcbc"))
        category = catalog.save_category(None, code="moi", name="Lĩnh vực mới", position=50)
        catalog.save_rule(None, position=10, category=category, province=None, keyword=None, unit=unit,
                          strategy="none")
        db.session.commit()
""")


def test_changes_made_by_another_process_are_seen_by_the_next_filing(db, database_url, commune_client,
                                                                     commune_officer, make_ticket, unit):
    before = make_ticket(commune_officer, now=FILED)
    assert first_response_due(before) == dt.datetime(2025, 1, 6, 9, tzinfo=VN)
    assert file_through_the_form(db, commune_client).lead_unit_id is None
    assert "Lĩnh vực mới" not in commune_client.get("/tickets/new").get_data(as_text=True)
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", CHANGES_IN_ANOTHER_PROCESS, database_url], cwd=root, check=True,
                   env={**os.environ, "PYTHONPATH": str(root)}, timeout=120)

    assert "Lĩnh vực mới" in commune_client.get("/tickets/new").get_data(as_text=True)
    filed = file_through_the_form(db, commune_client, category="moi")
    assert (filed.category.code, filed.lead_unit_id) == ("moi", unit.id)
    after = make_ticket(commune_officer, now=FILED)
    assert first_response_due(after) == dt.datetime(2025, 1, 7, 9, tzinfo=VN)  # Friday 3/1 off
    assert after.answer_due_at.astimezone(VN) == dt.datetime(2025, 1, 10, 9, tzinfo=VN)  # 40 working hours
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 4
