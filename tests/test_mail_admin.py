"""Admin email pages: the outbox with errors and retry, and the weekly report preview."""
import re

from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tracker.enums import Role
from tracker.mail.outbox import enqueue
from tracker.models import OutboxMessage


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _failed_message(db):
    message = enqueue("event:1", "nguoi.nhan@example.gov.vn", "Thông báo", "x")
    message.status, message.attempts, message.last_error = "failed", 8, "SMTP server unreachable: refused"
    db.session.commit()
    return message


def test_admin_sees_the_outbox_with_errors_and_filters_by_status(client, login, make_user, db):
    _failed_message(db)
    enqueue("event:2", "khac@example.gov.vn", "Đang chờ", "x")
    db.session.commit()
    login(make_user(Role.ADMIN))
    page = client.get("/admin/mail/outbox").get_data(as_text=True)
    assert "Hộp thư đi" in page and "SMTP server unreachable: refused" in page and "Đang chờ" in page
    failed_only = client.get("/admin/mail/outbox?status=failed").get_data(as_text=True)
    assert "nguoi.nhan@example.gov.vn" in failed_only and "khac@example.gov.vn" not in failed_only


def test_admin_retries_a_failed_message_with_csrf(csrf_client, make_user, db):
    message = _failed_message(db)
    admin = make_user(Role.ADMIN)
    csrf_client.post("/login", data={"email": admin.email, "password": PASSWORD,
                                     "csrf_token": _token(csrf_client.get("/login").get_data(as_text=True))})
    assert csrf_client.post(f"/admin/mail/outbox/{message.id}/retry").status_code == 400
    db.session.refresh(message)
    assert message.status == "failed"
    token = _token(csrf_client.get("/admin/mail/outbox").get_data(as_text=True))
    response = csrf_client.post(f"/admin/mail/outbox/{message.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("pending", 0)


def test_only_admins_reach_the_email_pages(client, login, triage_user, make_user):
    login(make_user(Role.LEAD))
    for url in ("/admin/mail/outbox", "/admin/mail/preview", "/admin/mail/preview/html"):
        assert client.get(url).status_code == 404
    assert client.post("/admin/mail/outbox/1/retry").status_code == 404


def test_preview_shows_a_users_weekly_report_without_enqueueing(client, login, make_user, db, triage_user):
    login(make_user(Role.ADMIN))
    page = client.get(f"/admin/mail/preview?email={triage_user.email}&week=2026-W10")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Báo cáo tuần 2026-W10 (02/03/2026 – 08/03/2026)" in body
    assert "Tỷ lệ trả lời đúng hạn" in body and "/admin/mail/preview/html?" in body
    html = client.get(f"/admin/mail/preview/html?email={triage_user.email}&week=2026-W10")
    assert html.status_code == 200 and "<table" in html.get_data(as_text=True)
    assert "script-src" not in html.headers["Content-Security-Policy"]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_preview_refuses_a_bad_week_or_an_unknown_user_clearly(client, login, make_user, triage_user):
    login(make_user(Role.ADMIN))
    cases = [
        (f"email={triage_user.email}&week=2026-W60", "Năm 2026 không có tuần ISO số 60."),
        (f"email={triage_user.email}&week=abc", "Tuần phải viết theo dạng 2026-W48"),
        ("email=ai.do@example.gov.vn&week=2026-W10", "Không có người dùng nào có địa chỉ email này."),
        (f"email={triage_user.email}&week=", "Trường này là bắt buộc"),
        (f"email={'a' * 300}&week=2026-W10", "Email quá dài."),
        (f"email={triage_user.email}&week={'2' * 30}", "Tối đa 20 ký tự"),
    ]
    for query, message in cases:
        response = client.get(f"/admin/mail/preview?{query}")
        assert response.status_code == 422, query
        assert message in response.get_data(as_text=True), query


def test_preview_says_when_a_user_gets_no_report(client, login, make_user, commune_officer):
    admin = make_user(Role.ADMIN)
    login(admin)
    response = client.get(f"/admin/mail/preview?email={commune_officer.email}&week=2026-W10")
    assert response.status_code == 422
    assert "Người dùng này không nhận báo cáo tuần cho tuần này." in response.get_data(as_text=True)
