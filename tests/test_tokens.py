"""API tokens that can end: named, listed, revoked and expiring, from the CLI and the admin's user page; a
revoked or expired token answers 401; creating and revoking are in the audit trail."""
import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from tracker.accounts import issue_token
from tracker.enums import AuditAction, Role
from tracker.models import ApiToken, AuditEntry, utcnow


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def api_status(client, token: str) -> int:
    return client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code


def audited(db, action: AuditAction) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action.value))


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Quản trị")


def test_cli_issues_lists_and_revokes_a_named_expiring_token(app, client, db, commune_officer):
    result = run(app, "users", "token", commune_officer.email, "--name", "Hệ thống một cửa", "--expires-days", "30")
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert api_status(client, token) == 200
    listing = run(app, "users", "tokens", commune_officer.email).output
    stored = db.session.scalar(select(ApiToken))
    assert f"{stored.id}" in listing and "Hệ thống một cửa" in listing and "active" in listing
    assert stored.expires_at - stored.created_at == dt.timedelta(days=30)
    assert run(app, "users", "revoke-token", str(stored.id)).exit_code == 0
    assert api_status(client, token) == 401
    assert "revoked" in run(app, "users", "tokens", commune_officer.email).output
    assert audited(db, AuditAction.TOKEN_CREATED) == 1 and audited(db, AuditAction.TOKEN_REVOKED) == 1


def test_cli_refuses_a_bad_expiry_and_an_unknown_token(app, db, commune_officer):
    for days in ("0", "-3", "99999"):
        result = run(app, "users", "token", commune_officer.email, "--expires-days", days)
        assert result.exit_code != 0 and "1" in result.output
    assert run(app, "users", "token", commune_officer.email, "--expires-days", "abc").exit_code != 0
    assert run(app, "users", "revoke-token", "999").exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_an_expired_token_answers_401(client, db, commune_officer):
    token = issue_token(commune_officer, expires_in_days=1)
    db.session.commit()
    assert api_status(client, token) == 200
    stored = db.session.scalar(select(ApiToken))
    stored.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert api_status(client, token) == 401


def test_a_token_without_expiry_keeps_working(client, db, commune_officer):
    token = issue_token(commune_officer)
    db.session.commit()
    assert db.session.scalar(select(ApiToken.expires_at)) is None
    assert api_status(client, token) == 200


def test_admin_creates_sees_and_revokes_tokens_on_the_user_page(client, login, db, admin, commune_officer):
    login(admin)
    response = client.post(f"/admin/users/{commune_officer.id}/tokens",
                           data={"name": "Cổng dịch vụ công", "expires_in_days": "90"})
    assert response.status_code == 200
    token = re.search(r"<code>([^<]+)</code>", response.get_data(as_text=True)).group(1)
    assert api_status(client, token) == 200
    page = client.get(f"/admin/users/{commune_officer.id}").get_data(as_text=True)
    assert "Cổng dịch vụ công" in page and token not in page  # shown once only
    stored = db.session.scalar(select(ApiToken))
    assert client.post(f"/admin/users/{commune_officer.id}/tokens/{stored.id}/revoke").status_code == 302
    assert api_status(client, token) == 401
    assert "đã thu hồi" in client.get(f"/admin/users/{commune_officer.id}").get_data(as_text=True)


@pytest.mark.parametrize("data", [
    {"name": "x" * 101},
    {"expires_in_days": "0"},
    {"expires_in_days": "3651"},
    {"expires_in_days": "ba mươi"},
])
def test_admin_token_form_refuses_bad_input_and_creates_nothing(client, login, db, admin, commune_officer, data):
    login(admin)
    response = client.post(f"/admin/users/{commune_officer.id}/tokens", data=data)
    assert response.status_code == 422
    assert 'class="invalid-feedback' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_a_token_is_revoked_only_through_its_own_user(client, login, db, admin, commune_officer, triage_user):
    token = issue_token(commune_officer)
    db.session.commit()
    stored = db.session.scalar(select(ApiToken))
    login(admin)
    assert client.post(f"/admin/users/{triage_user.id}/tokens/{stored.id}/revoke").status_code == 404
    assert client.post(f"/admin/users/{commune_officer.id}/tokens/99999/revoke").status_code == 404
    assert api_status(client, token) == 200


def test_only_admins_manage_tokens(client, login, db, commune_officer, triage_user):
    token = issue_token(commune_officer)
    db.session.commit()
    stored = db.session.scalar(select(ApiToken))
    login(triage_user)
    assert client.post(f"/admin/users/{commune_officer.id}/tokens", data={"name": "x"}).status_code == 404
    assert client.post(f"/admin/users/{commune_officer.id}/tokens/{stored.id}/revoke").status_code == 404
    assert api_status(client, token) == 200
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1
