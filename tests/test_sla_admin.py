"""Admin pages for the working calendar and the SLA policies; the sla CLI; office hours config; display."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from config import ConfigError
from config import TestConfig as AppConfig
from tracker import create_app
from tracker.enums import Role
from tracker.models import CalendarOverride, Category, SlaPolicy
from tracker.worktime import sla
from tracker.worktime.calendar import load_calendar

from .conftest import csrf_token_from

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN)


def shown(moment):
    return moment.astimezone(VN).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def test_only_admins_see_the_sla_admin(client, login, triage_user, make_user, commune_officer):
    for user in (triage_user, make_user(Role.LEAD), commune_officer):
        login(user)
        assert client.get("/admin/sla").status_code == 404
        assert client.get("/admin/sla/policies").status_code == 404
        assert client.post("/admin/sla/overrides", data={"day": "2025-01-03", "kind": "off",
                                                          "reason": "x"}).status_code == 404


def test_calendar_page_shows_holidays_and_makeup_days(client, login, admin):
    login(admin)
    page = client.get("/admin/sla?year=2025").get_data(as_text=True)
    assert "Lịch làm việc năm 2025" in page
    assert "<li>30/04/2025 — Ngày Chiến thắng</li>" in page
    assert "Tết Nguyên Đán" in page
    assert "26/04/2025 — Ngày làm bù" in page
    assert "Lịch làm việc và thời hạn" in page  # the nav item


def test_admin_declares_a_day_off_with_a_reason(csrf_login, admin, db):
    c = csrf_login(admin)
    token = csrf_token_from(c.get("/admin/sla").get_data(as_text=True))
    response = c.post("/admin/sla/overrides", data={"day": "2025-12-31", "kind": "off",
                                                    "reason": "Quyết định nghỉ", "csrf_token": token})
    assert response.status_code == 302
    override = db.session.get(CalendarOverride, dt.date(2025, 12, 31))
    assert override.is_working is False and override.reason == "Quyết định nghỉ"
    page = c.get("/admin/sla?year=2025").get_data(as_text=True)
    assert "Quyết định nghỉ" in page


def test_declared_day_off_moves_open_deadlines(client, login, admin, commune_officer, make_ticket, db):
    filed = dt.datetime(2025, 1, 2, 9, tzinfo=VN)
    ticket = make_ticket(commune_officer, now=filed)  # first response due Mon 6/1 09:00
    login(admin)
    client.post("/admin/sla/overrides", data={"day": "2025-01-03", "kind": "off", "reason": "Nghỉ đột xuất"})
    db.session.refresh(ticket)
    assert ticket.first_response_due_at.astimezone(VN) == dt.datetime(2025, 1, 7, 9, tzinfo=VN)
    client.post("/admin/sla/overrides/2025-01-03/delete")
    db.session.refresh(ticket)
    assert ticket.first_response_due_at.astimezone(VN) == dt.datetime(2025, 1, 6, 9, tzinfo=VN)


def test_override_deadlines_follow_the_cli(app, db):
    db.session.add(CalendarOverride(day=dt.date(2025, 1, 3), is_working=False, reason="Nghỉ"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["sla", "due", "2025-01-02T16:00", "2"])
    assert result.output.strip() == "2025-01-06T09:00+07:00"


@pytest.mark.parametrize("data, message", [
    ({"day": "31/02/2025", "kind": "off", "reason": "x"}, "Nhập ngày hợp lệ"),
    ({"day": "hôm qua", "kind": "off", "reason": "x"}, "Nhập ngày hợp lệ"),
    ({"day": "", "kind": "off", "reason": "x"}, "bắt buộc"),
    ({"day": "2025-12-31", "kind": "off", "reason": ""}, "bắt buộc"),
    ({"day": "2025-12-31", "kind": "off", "reason": "x" * 201}, "Lý do quá dài (tối đa 200 ký tự)"),
    ({"day": "2025-12-31", "kind": "maybe", "reason": "x"}, "Chọn một giá trị trong danh sách"),
])
def test_bad_override_is_refused_and_nothing_saved(client, login, admin, db, data, message):
    login(admin)
    response = client.post("/admin/sla/overrides", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CalendarOverride)) == 0


def test_admin_removes_an_override(client, login, admin, db):
    db.session.add(CalendarOverride(day=dt.date(2025, 1, 3), is_working=False, reason="Nghỉ"))
    db.session.commit()
    login(admin)
    assert client.post("/admin/sla/overrides/2025-01-03/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(CalendarOverride, dt.date(2025, 1, 3)) is None


def test_admin_sets_a_category_policy(client, login, admin, db):
    login(admin)
    response = client.post("/admin/sla/policies", data={"urgency": "khan", "category": "dat_dai",
                                                        "first_response_hours": "4", "answer_hours": "16"})
    assert response.status_code == 302
    category = db.session.scalar(select(Category).where(Category.code == "dat_dai"))
    policy = db.session.scalar(select(SlaPolicy).where(SlaPolicy.category_id == category.id))
    assert (policy.urgency, policy.first_response_hours, policy.answer_hours) == ("khan", 4, 16)
    assert "Đất đai" in client.get("/admin/sla/policies").get_data(as_text=True)


def test_admin_changes_an_urgency_default(client, login, admin, db):
    login(admin)
    client.post("/admin/sla/policies", data={"urgency": "thuong", "category": "",
                                             "first_response_hours": "8", "answer_hours": "40"})
    policy = db.session.scalar(select(SlaPolicy).where(SlaPolicy.urgency == "thuong",
                                                       SlaPolicy.category_id.is_(None)))
    db.session.refresh(policy)
    assert (policy.first_response_hours, policy.answer_hours) == (8, 40)


@pytest.mark.parametrize("first, answer, message", [
    ("0", "8", "ít nhất một giờ"),
    ("-4", "8", "ít nhất một giờ"),
    ("4", "0", "ít nhất một giờ"),
    ("abc", "8", "số nguyên"),
    ("1.5", "8", "số nguyên"),
    ("", "8", "số nguyên"),
    ("16", "8", "không được sau hạn trả lời"),
    ("4", "999999", "tối đa"),
])
def test_bad_policy_is_refused_and_nothing_saved(client, login, admin, db, first, answer, message):
    login(admin)
    response = client.post("/admin/sla/policies", data={"urgency": "khan", "category": "",
                                                        "first_response_hours": first, "answer_hours": answer})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    policy = db.session.scalar(select(SlaPolicy).where(SlaPolicy.urgency == "khan",
                                                       SlaPolicy.category_id.is_(None)))
    db.session.refresh(policy)
    assert (policy.first_response_hours, policy.answer_hours) == (8, 40)


def test_policy_for_an_unknown_urgency_or_category_is_refused(client, login, admin, db):
    login(admin)
    before = db.session.scalar(select(func.count()).select_from(SlaPolicy))
    for data, message in (({"urgency": "bogus", "category": ""}, "Chọn mức độ khẩn trong danh sách"),
                          ({"urgency": "khan", "category": "nope"}, "Chọn lĩnh vực trong danh sách")):
        response = client.post("/admin/sla/policies", data={**data, "first_response_hours": "4",
                                                            "answer_hours": "8"})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SlaPolicy)) == before


def test_the_default_policy_cannot_be_removed(client, login, admin, db):
    policy = db.session.scalar(select(SlaPolicy).where(SlaPolicy.category_id.is_(None)))
    login(admin)
    response = client.post(f"/admin/sla/policies/{policy.id}/delete", follow_redirects=True)
    assert "Không thể xóa thời hạn mặc định của một mức độ khẩn" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(SlaPolicy.id == policy.id)) == 1


# --- CLI ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (["2025-04-30T09:00", "8"], "2025-05-05T17:00+07:00"),
    (["2025-01-03T13:00", "4"], "2025-01-03T17:00+07:00"),
    (["2025-01-03T01:00+00:00", "1"], "2025-01-03T09:00+07:00"),
    (["2025-04-25T16:00", "2"], "2025-04-26T09:00+07:00"),
])
def test_sla_due_prints_the_local_deadline(app, args, expected):
    result = app.test_cli_runner().invoke(args=["sla", "due", *args])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == expected


@pytest.mark.parametrize("args, message", [
    (["tomorrow", "8"], "is not an ISO 8601 date"),
    (["2025-02-30T09:00", "8"], "is not an ISO 8601 date"),
    (["2025-01-03T09:00", "-1"], "cannot be negative"),
    (["2025-01-03T09:00", "many"], "must be a number"),
    (["2025-01-03T09:00", "99999999"], "at most"),
])
def test_sla_due_refuses_bad_input(app, args, message):
    result = app.test_cli_runner().invoke(args=["sla", "due", *args])
    assert result.exit_code != 0
    assert message in result.output


# --- configuration -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["", "08:00-12:00,11:00-17:00", "8-12", "12:00-08:00", "08:00-25:00", " , "])
def test_bad_office_hours_stop_the_start(monkeypatch, value):
    monkeypatch.setenv("OFFICE_HOURS", value)
    with pytest.raises(ConfigError, match="OFFICE_HOURS"):
        create_app(AppConfig("sqlite://"))


def test_the_calendar_works_the_configured_office_hours(monkeypatch, database_url):
    monkeypatch.setenv("OFFICE_HOURS", "07:30-11:30,13:30-17:30")
    other = create_app(AppConfig(database_url))
    with other.app_context():
        calendar = load_calendar()
        assert calendar.periods == ((450, 690), (810, 1050))
        # Friday 11:00 + 1 working hour: 30 minutes before the lunch break, 30 after it.
        due = sla.add_working_time(local("2025-03-07T11:00"), dt.timedelta(hours=1), calendar)
        assert shown(due) == "2025-03-07T14:00"


# --- display -----------------------------------------------------------------------------------------

def test_ticket_page_shows_working_time_left(client, login, commune_officer, make_ticket, db, monkeypatch):
    from tracker import web

    monkeypatch.setattr(web, "utcnow", lambda: local("2025-03-03T10:00"))  # a Monday morning
    ticket = make_ticket(commune_officer)
    ticket.answer_due_at = local("2025-03-10T10:00")  # five working days ahead
    ticket.first_response_due_at = local("2025-02-26T14:00")  # 3 + 8 + 8 + 2 = 21 working hours ago
    db.session.commit()
    login(commune_officer)
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert '<small class="sla-left">còn 5 ngày làm việc</small>' in page
    assert '<small class="sla-left">quá hạn 2 ngày làm việc</small>' in page


def test_list_shows_a_deadline_badge_and_filters_by_state(client, login, triage_user, commune_officer,
                                                          make_ticket, db):
    late = make_ticket(commune_officer, title="Đã quá hạn")
    late.sla_state = "breached"
    make_ticket(commune_officer, title="Còn hạn")
    db.session.commit()
    login(triage_user)
    page = client.get("/tickets?sla_state=breached").get_data(as_text=True)
    assert "Đã quá hạn" in page and "Còn hạn" not in page
    assert 'class="badge sla-breached"' in page
