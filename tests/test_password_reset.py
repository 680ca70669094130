"""Forgot password: the same answer for every address, a signed single-use link through the outbox."""
import re

from sqlalchemy import select

from tests.conftest import PASSWORD, csrf_token_from
from tracker.models import OutboxMessage
from tracker.password_reset import user_for_token

NEW_PASSWORD = "một mật khẩu mới 2026"


def _link(db):
    db.session.expire_all()
    [message] = db.session.scalars(select(OutboxMessage)).all()
    return message, re.search(r"http://tracker\.test(/password/reset/\S+)", message.body_text).group(1)


def test_forgot_password_answers_the_same_whether_or_not_the_email_exists(client, db, commune_officer):
    known = client.post("/password/forgot", data={"email": commune_officer.email.upper()})
    unknown = client.post("/password/forgot", data={"email": "khong.ai@example.gov.vn"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    message, _path = _link(db)
    assert message.recipient == commune_officer.email
    assert re.fullmatch(rf"reset:{commune_officer.id}:[0-9a-f]{{16}}", message.key)
    assert message.subject == "Đặt lại mật khẩu"


def test_reset_link_sets_a_new_password_once(client, db, commune_officer, login):
    client.post("/password/forgot", data={"email": commune_officer.email})
    _message, path = _link(db)
    assert "Đặt mật khẩu mới" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    login(commune_officer, NEW_PASSWORD)
    client.post("/logout")
    again = client.get(path)
    assert again.status_code == 302 and again.headers["Location"].endswith("/password/forgot")


def test_reset_refuses_short_or_mismatched_passwords_and_changes_nothing(client, db, commune_officer, login):
    client.post("/password/forgot", data={"email": commune_officer.email})
    _message, path = _link(db)
    cases = [({"password": "ngan", "confirm": "ngan"}, "ít nhất 12 ký tự"),
             ({"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}, "Hai mật khẩu không khớp"),
             ({"password": "x" * 201, "confirm": "x" * 201}, "Mật khẩu quá dài"),
             ({"password": "qwerty123456", "confirm": "qwerty123456"}, "Mật khẩu này quá phổ biến"),
             ({"password": "", "confirm": ""}, "Nhập mật khẩu")]
    for data, message in cases:
        response = client.post(path, data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    login(commune_officer, PASSWORD)


def test_tampered_token_and_bad_email_are_refused_clearly(client, db, commune_officer, app):
    with app.test_request_context():
        assert user_for_token("abc.def.ghi") is None
    assert client.get("/password/reset/abc").status_code == 302
    response = client.post("/password/forgot", data={"email": ""})
    assert response.status_code == 422 and "Nhập email" in response.get_data(as_text=True)
    response = client.post("/password/forgot", data={"email": "a" * 300})
    assert response.status_code == 422 and "Email quá dài." in response.get_data(as_text=True)


def test_deactivated_user_gets_no_reset_email(client, db, make_user):
    from tracker.enums import Role

    inactive = make_user(Role.TRIAGE, active=False)
    client.post("/password/forgot", data={"email": inactive.email})
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_forgot_password_form_needs_its_csrf_token(csrf_client, db, commune_officer):
    assert csrf_client.post("/password/forgot", data={"email": commune_officer.email}).status_code in (400, 422)
    token = csrf_token_from(csrf_client.get("/password/forgot").get_data(as_text=True))
    assert csrf_client.post("/password/forgot", data={"email": commune_officer.email,
                                                      "csrf_token": token}).status_code == 302
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_reset_link_expires_after_an_hour(client, db, commune_officer, monkeypatch):
    import time

    from itsdangerous import timed

    client.post("/password/forgot", data={"email": commune_officer.email})
    _message, path = _link(db)
    issued = time.time()
    monkeypatch.setattr(timed.time, "time", lambda: issued + 59 * 60)
    assert client.get(path).status_code == 200  # still valid a minute before the hour
    monkeypatch.setattr(timed.time, "time", lambda: issued + 61 * 60)
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/password/forgot")
    db.session.refresh(commune_officer)
    assert not commune_officer.check_password(NEW_PASSWORD) and commune_officer.check_password(PASSWORD)
