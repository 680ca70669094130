"""One password policy wherever a password is set: 12 to 128 characters, not a common one, compared in NFC."""
import re
import unicodedata

import pytest
from sqlalchemy import select

from tracker import passwords
from tracker.demo import DEMO_PASSWORD
from tracker.enums import Role
from tracker.errors import DomainError
from tracker.models import OutboxMessage, User

from .conftest import PASSWORD

ELEVEN = "mười một kt"  # 11 characters: the old admin (8) and reset-link (10) minimums let it through
NFD = unicodedata.normalize("NFD", "Mật khẩu của tôi 2026")
NFC = unicodedata.normalize("NFC", NFD)


@pytest.mark.parametrize("password, message", [
    ("", "ít nhất 12 ký tự"),
    (ELEVEN, "ít nhất 12 ký tự"),
    ("xy" * 64 + "z", "quá dài (tối đa 128 ký tự)"),
    ("qwerty123456", "quá phổ biến"),
    ("QWERTY123456", "quá phổ biến"),  # case does not make a common password rare
    ("matkhau123456", "quá phổ biến"),  # a Vietnamese favourite
    ("anhyeuem123456", "quá phổ biến"),
    ("aaaaaaaaaaaaaaaa", "quá phổ biến"),  # one character repeated
])
def test_the_policy_refuses_short_long_and_common_passwords(app, password, message):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        passwords.check_new_password(password)
    assert refused.value.field == "password" and message in str(refused.value.message)


def test_the_policy_accepts_a_long_uncommon_password_and_returns_it_in_nfc(app):
    assert passwords.check_new_password("xy" * 64) == "xy" * 64
    assert passwords.check_new_password(NFD) == NFC


def test_the_shipped_list_holds_the_common_passwords_and_the_vietnamese_ones():
    common = passwords.common_passwords()
    assert len(common) > 30_000
    assert {"123456", "password", "qwerty123456", "matkhau123", "bonoivu123456"} <= common


def test_a_password_is_hashed_and_checked_in_nfc(db, commune_officer):
    commune_officer.set_password(NFD)
    assert commune_officer.check_password(NFC) and commune_officer.check_password(NFD)
    commune_officer.set_password(NFC)
    assert commune_officer.check_password(NFD)


def test_the_demo_password_meets_the_policy(app):
    with app.test_request_context():
        assert passwords.check_new_password(DEMO_PASSWORD) == DEMO_PASSWORD


def test_cli_users_create_refuses_a_weak_password(app, db):
    for weak in (ELEVEN, "Password123456"):
        result = app.test_cli_runner().invoke(args=["users", "create", "a@b.vn", "--role", "lead", "--password", weak])
        assert result.exit_code != 0 and "Mật khẩu" in result.output, result.output
    assert db.session.scalars(select(User)).all() == []


def test_admin_create_and_reset_refuse_an_eleven_character_password(client, login, make_user, specialist, db):
    login(make_user(Role.ADMIN))
    response = client.post("/admin/users/new", data={"email": "moi@bnv.gov.vn", "role": "lead", "password": ELEVEN})
    assert response.status_code == 422 and "Mật khẩu cần có ít nhất 12 ký tự" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "moi@bnv.gov.vn")) is None
    client.post(f"/admin/users/{specialist.id}/password", data={"password": ELEVEN})
    page = client.get(f"/admin/users/{specialist.id}").get_data(as_text=True)
    assert "Mật khẩu cần có ít nhất 12 ký tự" in page
    db.session.refresh(specialist)
    assert specialist.check_password(PASSWORD)


def test_the_reset_link_refuses_an_eleven_character_password_and_takes_an_nfd_one(client, db, commune_officer,
                                                                                  login):
    client.post("/password/forgot", data={"email": commune_officer.email})
    body = db.session.scalar(select(OutboxMessage.body_text))
    path = re.search(r"http://tracker\.test(/password/reset/\S+)", body).group(1)
    refused = client.post(path, data={"password": ELEVEN, "confirm": ELEVEN})
    assert refused.status_code == 422 and "ít nhất 12 ký tự" in refused.get_data(as_text=True)
    assert client.post(path, data={"password": NFD, "confirm": NFC}).status_code == 302
    login(commune_officer, NFC)
