"""The login lockout, counted in the database: failures from one address lock that address out of the
account for a while; failures from everywhere slow every try on the account, by at most a minute; the real
user signs in from their own address meanwhile. Refused tries check no password."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tracker import signin
from tracker.enums import AuditAction
from tracker.models import AuditEntry, LoginFailure

from .conftest import PASSWORD

NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
ATTACKER, OFFICE = "203.0.113.66", "198.51.100.7"


def attempt(user, password, address, now):
    result = signin.sign_in(user.email, password, address=address, now=now)
    signin.db.session.commit()
    return result


def fail(user, times, address=ATTACKER, start=NOW, step=dt.timedelta(seconds=1)):
    """Failures as any worker counts them (rows), without hashing a wrong password each time."""
    signin.db.session.add_all(LoginFailure(email=user.email, address=address, failed_at=start + i * step)
                              for i in range(times))
    signin.db.session.commit()


def test_a_wrong_password_is_counted_as_a_failure_of_the_account_and_address(app, db, commune_officer):
    assert attempt(commune_officer, "đoán sai", ATTACKER, NOW).refusal is not None
    assert db.session.execute(select(LoginFailure.email, LoginFailure.address, LoginFailure.failed_at)).one() == (
        commune_officer.email, ATTACKER, NOW)


def test_failures_from_one_address_lock_that_address_out_of_the_account(app, db, commune_officer):
    fail(commune_officer, signin.ADDRESS_FAILURES)
    refused = attempt(commune_officer, PASSWORD, ATTACKER, NOW + dt.timedelta(minutes=1))
    assert refused.user is None and 13 * 60 < refused.retry_after <= 15 * 60
    assert "thử lại sau 14 phút" in str(refused.refusal)


def test_the_real_user_signs_in_from_their_own_address_meanwhile(app, db, commune_officer):
    fail(commune_officer, signin.ADDRESS_FAILURES)
    assert attempt(commune_officer, PASSWORD, OFFICE, NOW + dt.timedelta(minutes=1)).user == commune_officer


def test_the_lock_ends_when_the_window_has_passed(app, db, commune_officer):
    fail(commune_officer, signin.ADDRESS_FAILURES)
    later = NOW + signin.WINDOW + dt.timedelta(seconds=5)
    assert attempt(commune_officer, PASSWORD, ATTACKER, later).user == commune_officer


def botnet(db, user, times, last=NOW):
    """Failures counted from as many addresses, one a second up to `last` (as any worker would count them)."""
    db.session.add_all(LoginFailure(email=user.email, address=f"192.0.2.{i}", failed_at=last - dt.timedelta(seconds=i))
                       for i in range(times))
    db.session.commit()


def test_failures_from_many_addresses_slow_the_account_by_at_most_a_minute(app, db, commune_officer):
    botnet(db, commune_officer, 40)
    refused = attempt(commune_officer, PASSWORD, OFFICE, NOW + dt.timedelta(seconds=10))
    assert refused.user is None and refused.retry_after == 50
    assert "Vui lòng chờ 50 giây" in str(refused.refusal)
    assert attempt(commune_officer, PASSWORD, OFFICE, NOW + dt.timedelta(seconds=61)).user == commune_officer


def test_the_delay_doubles_with_each_failure(app, db, commune_officer):
    botnet(db, commune_officer, signin.ACCOUNT_FAILURES)
    assert attempt(commune_officer, "x", OFFICE, NOW).retry_after == 1
    later = NOW + dt.timedelta(seconds=1)
    assert attempt(commune_officer, "x", OFFICE, later).retry_after == 0  # a try, and a failure more
    assert attempt(commune_officer, "x", OFFICE, later).retry_after == 2


def test_a_refused_try_checks_no_password_and_is_recorded(app, db, commune_officer, monkeypatch):
    fail(commune_officer, signin.ADDRESS_FAILURES)
    monkeypatch.setattr(signin, "authenticate", lambda *_: pytest.fail("the password was checked"))
    attempt(commune_officer, PASSWORD, ATTACKER, NOW + dt.timedelta(minutes=1))
    refused = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.LOGIN_REFUSED.value))
    assert refused.actor_email == commune_officer.email


def test_unknown_accounts_are_answered_the_same(app, db, commune_officer):
    class Nobody:
        email = "khong.ai@example.gov.vn"

    fail(Nobody, signin.ADDRESS_FAILURES)
    assert attempt(Nobody, "x", ATTACKER, NOW + dt.timedelta(minutes=1)).retry_after > 0


def test_signing_in_clears_the_failures_of_that_address_only(app, db, commune_officer):
    fail(commune_officer, 3, address=OFFICE)
    fail(commune_officer, 3, address=ATTACKER)
    assert attempt(commune_officer, PASSWORD, OFFICE, NOW + dt.timedelta(minutes=1)).user == commune_officer
    left = db.session.scalars(select(LoginFailure.address)).all()
    assert left == [ATTACKER] * 3


def test_old_failures_are_deleted_as_new_ones_come(app, db, commune_officer):
    fail(commune_officer, 3)
    attempt(commune_officer, "đoán sai", OFFICE, NOW + signin.KEEP + dt.timedelta(minutes=1))
    assert db.session.scalar(select(func.count(LoginFailure.id))) == 1


def test_the_login_page_answers_a_locked_out_try_with_429_and_retry_after(client, db, commune_officer):
    """The failures are rows in the database: whichever worker or host counted them, every one sees them."""
    fail(commune_officer, signin.ADDRESS_FAILURES, address="127.0.0.1", start=signin.utcnow())
    response = client.post("/login", data={"email": commune_officer.email, "password": PASSWORD})
    assert response.status_code == 429 and 800 < int(response.headers["Retry-After"]) <= 900
    assert "Tài khoản này đã đăng nhập sai quá nhiều lần từ kết nối của bạn" in response.get_data(as_text=True)
    assert client.get("/tickets").status_code == 302
