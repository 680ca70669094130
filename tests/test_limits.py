"""Rate limits answer 429 with Retry-After and a clear message, per client address on signing in and reset
links, per email address on reset emails, per account on filing, per token on the whole API; one client's
limit never blocks another's. The suite's own limits are out of reach (TestConfig); these tests set low ones."""
import pytest
from sqlalchemy import func, select

from config import TestConfig
from tracker import create_app
from tracker.accounts import issue_token
from tracker.enums import AuditAction, Role
from tracker.extensions import limiter
from tracker.models import AuditEntry, Ticket

from .conftest import PASSWORD

TOO_MANY = "Bạn đã gửi quá nhiều yêu cầu"
FILING = {"category": "bien_che", "title": "Vướng mắc", "description": "Đề nghị hướng dẫn.", "urgency": "normal"}


@pytest.fixture
def low_limits(app):
    """Set some limits low for one test, on fresh counters; everything back afterwards."""
    saved = dict(app.config)

    def set_limits(**limits):
        app.config.update({f"RATELIMIT_{name.upper()}": value for name, value in limits.items()})
        limiter.reset()

    yield set_limits
    app.config.update({k: v for k, v in saved.items() if k.startswith("RATELIMIT_")})
    limiter.reset()


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def assert_limited(response):
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1


def test_login_is_limited_per_address(client, low_limits, commune_officer):
    low_limits(login="3 per minute")
    wrong = {"email": "ai.do@example.gov.vn", "password": "đoán bừa thôi"}
    for _ in range(3):
        assert client.post("/login", data=wrong, **from_address("203.0.113.1")).status_code == 200
    refused = client.post("/login", data=wrong, **from_address("203.0.113.1"))
    assert_limited(refused)
    assert TOO_MANY in refused.get_data(as_text=True)
    assert client.get("/login", **from_address("203.0.113.1")).status_code == 200  # reading the form is free
    right = {"email": commune_officer.email, "password": PASSWORD}
    assert client.post("/login", data=right, **from_address("203.0.113.2")).status_code == 302


def test_reset_links_are_limited_per_address_and_per_email(client, low_limits, db):
    low_limits(password_reset="2 per 15 minutes", reset_email="1 per 5 minutes")
    assert client.post("/password/forgot", data={"email": "a@example.gov.vn"},
                       **from_address("203.0.113.1")).status_code == 302
    assert_limited(client.post("/password/forgot", data={"email": "a@example.gov.vn"},
                               **from_address("203.0.113.9")))  # the same email, from anywhere
    assert client.post("/password/forgot", data={"email": "b@example.gov.vn"},
                       **from_address("203.0.113.1")).status_code == 302
    assert_limited(client.post("/password/forgot", data={"email": "c@example.gov.vn"},
                               **from_address("203.0.113.1")))  # the address's budget is spent
    assert client.post("/password/forgot", data={"email": "c@example.gov.vn"},
                       **from_address("203.0.113.2")).status_code == 302
    asked = db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == AuditAction.PASSWORD_RESET_REQUESTED.value))
    assert asked == 3


def test_filing_is_limited_per_account_not_per_address(app, client, login, low_limits, commune_officer,
                                                       make_user, hoan_kiem, db):
    low_limits(filing="2 per minute")
    login(commune_officer)
    assert [client.post("/tickets/new", data=FILING).status_code for _ in range(2)] == [302, 302]
    refused = client.post("/tickets/new", data=FILING)
    assert_limited(refused)
    assert TOO_MANY in refused.get_data(as_text=True)
    assert client.get("/tickets/new").status_code == 200
    colleague = login(make_user(Role.COMMUNE, hoan_kiem), test_client=app.test_client())  # same address
    assert colleague.post("/tickets/new", data=FILING).status_code == 302
    assert db.session.scalar(select(func.count(Ticket.id))) == 3


def test_the_api_is_limited_per_token_across_all_its_routes(client, low_limits, commune_officer, make_user,
                                                            hoan_kiem, db):
    low_limits(api="3 per minute")
    mine = {"Authorization": f"Bearer {issue_token(commune_officer)}"}
    theirs = {"Authorization": f"Bearer {issue_token(make_user(Role.COMMUNE, hoan_kiem))}"}
    db.session.commit()
    assert client.get("/api/v1/tickets", headers=mine).status_code == 200
    assert client.get("/api/v1/tickets/PUN-2026-000001", headers=mine).status_code == 404
    assert client.get("/api/v1/openapi.json", headers=mine).status_code == 200
    refused = client.get("/api/v1/tickets", headers=mine)
    assert_limited(refused)
    assert refused.is_json
    assert client.get("/api/v1/tickets", headers=theirs).status_code == 200


def test_the_api_is_limited_per_address_whatever_the_tokens(client, low_limits):
    low_limits(api_address="2 per minute")
    for guess in ("a", "b"):
        assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {guess}"}).status_code == 401
    assert_limited(client.get("/api/v1/tickets", headers={"Authorization": "Bearer c"}))


def test_the_client_address_comes_from_trusted_proxies_only(app, client, db, commune_officer, database_url):
    forwarded = {"X-Forwarded-For": "198.51.100.23"}
    client.post("/login", data={"email": commune_officer.email, "password": "x"}, headers=forwarded)
    config = TestConfig(database_url)
    config.TRUSTED_PROXY_COUNT = 1
    behind_proxy = create_app(config).test_client()
    behind_proxy.post("/login", data={"email": commune_officer.email, "password": "x"}, headers=forwarded)
    addresses = db.session.scalars(select(AuditEntry.address).order_by(AuditEntry.id)).all()
    assert addresses == ["127.0.0.1", "198.51.100.23"]
