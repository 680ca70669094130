from sqlalchemy import select

from tracker.enums import Role
from tracker.extensions import db
from tracker.models import User

from .conftest import PASSWORD


def test_login_with_the_right_password_opens_the_session(client, commune_officer):
    response = client.post("/login", data={"email": commune_officer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/tickets").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, commune_officer):
    response = client.post("/login", data={"email": commune_officer.email, "password": "nope"})
    assert response.status_code == 200
    assert "Sai email hoặc mật khẩu" in response.get_data(as_text=True)
    assert client.get("/tickets").status_code == 302


def test_empty_and_oversized_login_fields_get_messages(client):
    page = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Nhập email" in page and "Nhập mật khẩu" in page
    page = client.post("/login", data={"email": "a" * 300 + "@x.vn", "password": "x"}).get_data(as_text=True)
    assert "quá dài" in page


def test_deactivated_user_cannot_log_in(client, make_user, hoan_kiem):
    user = make_user(Role.COMMUNE, hoan_kiem, active=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/tickets").status_code == 302


def test_passwords_are_hashed_and_the_hash_logs_in(client, commune_officer, db):
    commune_officer.set_password("một mật khẩu mới 2026")
    db.session.commit()
    stored = db.session.scalar(select(User.password_hash).where(User.id == commune_officer.id))
    assert "một mật khẩu mới 2026" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
    assert client.post("/login", data={"email": commune_officer.email, "password": PASSWORD}).status_code == 200
    response = client.post("/login", data={"email": commune_officer.email, "password": "một mật khẩu mới 2026"})
    assert response.status_code == 302 and client.get("/tickets").status_code == 200


def test_session_cookie_is_httponly_and_samesite(client, commune_officer):
    response = client.post("/login", data={"email": commune_officer.email, "password": PASSWORD})
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_without_csrf_token_is_refused(csrf_client, commune_officer):
    response = csrf_client.post("/login", data={"email": commune_officer.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "mã bảo mật" in response.get_data(as_text=True)
    assert csrf_client.get("/tickets").status_code == 302


def test_login_with_csrf_token_from_the_form_works(csrf_login, commune_officer):
    assert csrf_login(commune_officer).get("/tickets").status_code == 200


def test_login_does_not_redirect_to_another_host(client, commune_officer):
    response = client.post("/login?next=https://evil.example/x",
                           data={"email": commune_officer.email, "password": PASSWORD})
    assert response.headers["Location"] in ("/", "/tickets")


def test_language_switch_is_remembered_for_the_user(client, login, commune_officer):
    login(commune_officer)
    assert "Kiến nghị" in client.get("/tickets").get_data(as_text=True)
    client.post("/lang/en")
    db.session.refresh(commune_officer)
    assert commune_officer.locale == "en"
    assert "Obstacles" in client.get("/tickets").get_data(as_text=True)
    client.post("/logout")
    login(commune_officer)
    assert "Obstacles" in client.get("/tickets").get_data(as_text=True)


def test_unknown_language_is_404(client):
    assert client.post("/lang/fr").status_code == 404


def test_the_production_configuration_checks_csrf_and_exempts_the_api(monkeypatch, database_url, commune_officer,
                                                                      db):
    """Not the csrf_client fixture: the app exactly as `Config()` builds it from the environment."""
    from config import Config
    from tracker import create_app
    from tracker.accounts import issue_token

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "a-production-like-secret")
    production = create_app(Config())
    assert production.config.get("WTF_CSRF_ENABLED", True) is True
    token = issue_token(commune_officer)
    db.session.commit()
    client = production.test_client()
    refused = client.post("/login", data={"email": commune_officer.email, "password": PASSWORD})
    assert refused.status_code == 400 and "mã bảo mật" in refused.get_data(as_text=True)
    filed = client.post("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"},
                        json={"category": "bien_che", "title": "Qua API", "description": "Không cần mã CSRF."})
    assert filed.status_code == 201, filed.get_data(as_text=True)
