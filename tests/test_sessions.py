"""Sessions that end: logging out, a password reset or change, deactivation and a role, locality or unit
change end every session of that user, so a copied cookie replayed afterwards answers as logged out."""
import re

import pytest
from sqlalchemy import select

from tracker.enums import Role
from tracker.models import OutboxMessage

from .conftest import PASSWORD


@pytest.fixture
def admin_client(app, make_user, login):
    """A second browser, the admin's, beside the user's own `client`."""
    return login(make_user(Role.ADMIN), test_client=app.test_client())


def _copied_cookie(client) -> str:
    return client.get_cookie("session").value


def _replayed(app, cookie: str):
    """A fresh browser that sends nothing but the copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/tickets")


def _signed_in(client, login, user):
    login(user)
    assert client.get("/tickets").status_code == 200
    return _copied_cookie(client)


def test_a_copied_cookie_works_while_the_session_lasts(app, client, login, commune_officer):
    cookie = _signed_in(client, login, commune_officer)
    assert _replayed(app, cookie).status_code == 200


def test_a_cookie_replayed_after_logout_answers_as_logged_out(app, client, login, commune_officer):
    cookie = _signed_in(client, login, commune_officer)
    client.post("/logout")
    replay = _replayed(app, cookie)
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]


def test_logout_ends_the_sessions_on_other_devices_too(app, client, login, commune_officer):
    other_device = login(commune_officer, test_client=app.test_client())
    _signed_in(client, login, commune_officer)
    client.post("/logout")
    assert other_device.get("/tickets").status_code == 302


def test_deactivation_ends_the_users_sessions(app, client, login, commune_officer, admin_client):
    cookie = _signed_in(client, login, commune_officer)
    assert admin_client.post(f"/admin/users/{commune_officer.id}/active").status_code == 302
    assert client.get("/tickets").status_code == 302 and _replayed(app, cookie).status_code == 302


@pytest.mark.parametrize("change", [
    {"role": "province", "locality": "01"},
    {"role": "commune", "locality": "00004"},
])
def test_a_role_or_locality_change_ends_the_users_sessions(app, client, login, commune_officer, admin_client,
                                                           ba_dinh, change):
    cookie = _signed_in(client, login, commune_officer)
    response = admin_client.post(f"/admin/users/{commune_officer.id}", data={"name": "Cán bộ", "unit": "",
                                                                             **change})
    assert response.status_code == 302
    assert client.get("/tickets").status_code == 302 and _replayed(app, cookie).status_code == 302


def test_a_unit_change_ends_a_specialists_sessions(app, client, login, specialist, admin_client):
    cookie = _signed_in(client, login, specialist)
    admin_client.post(f"/admin/users/{specialist.id}", data={"name": "Chuyên viên", "role": "specialist",
                                                            "unit": "moha_ccvc"})
    assert _replayed(app, cookie).status_code == 302


def test_saving_a_user_unchanged_keeps_their_session(app, client, login, specialist, admin_client):
    cookie = _signed_in(client, login, specialist)
    admin_client.post(f"/admin/users/{specialist.id}", data={"name": "Tên mới", "role": "specialist",
                                                            "unit": "moha_tcbc"})
    assert _replayed(app, cookie).status_code == 200


def test_an_admin_password_reset_ends_the_users_sessions(app, client, login, commune_officer, admin_client):
    cookie = _signed_in(client, login, commune_officer)
    admin_client.post(f"/admin/users/{commune_officer.id}/password", data={"password": "một mật khẩu mới 2026"})
    assert _replayed(app, cookie).status_code == 302


def test_a_reset_link_ends_the_users_sessions(app, client, login, commune_officer, db):
    cookie = _signed_in(client, login, commune_officer)
    anonymous = app.test_client()
    anonymous.post("/password/forgot", data={"email": commune_officer.email})
    body = db.session.scalar(select(OutboxMessage.body_text))
    path = re.search(r"http://tracker\.test(/password/reset/\S+)", body).group(1)
    assert anonymous.post(path, data={"password": "một mật khẩu mới 2026",
                                      "confirm": "một mật khẩu mới 2026"}).status_code == 302
    assert _replayed(app, cookie).status_code == 302
    assert client.get("/tickets").status_code == 302


def test_logging_in_again_after_logout_works(client, login, commune_officer):
    _signed_in(client, login, commune_officer)
    client.post("/logout")
    response = client.post("/login", data={"email": commune_officer.email, "password": PASSWORD})
    assert response.status_code == 302 and client.get("/tickets").status_code == 200


def test_messages_of_a_session_do_not_outlive_its_logout(client, login, commune_officer, triage_user, db):
    """A flash queued for the first user (shown on their next page) is not shown to the next person."""
    login(commune_officer)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Tin nhắn riêng của người trước")]
        session["lang"] = "en"
    client.post("/logout")
    with client.session_transaction() as session:
        assert session.get("lang") == "en"  # the browser's language choice stays
    login(triage_user)
    assert "Tin nhắn riêng của người trước" not in client.get("/triage").get_data(as_text=True)
