"""Security headers on every kind of response: the CSP pins <base> and form targets, pages and API answers
with someone's data are never stored by a cache, and HSTS goes with secure cookies."""
import io

import pytest

from tracker.accounts import issue_token

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def secure_cookies(app):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        yield
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False


def _csp(response) -> dict[str, str]:
    directives = (d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";"))
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives if d[0]}


@pytest.mark.parametrize("url", ["/login", "/password/forgot", "/no-such-page"])
def test_the_csp_forbids_base_and_foreign_form_targets(client, url):
    csp = _csp(client.get(url))
    assert csp["base-uri"] == "'none'" and csp["form-action"] == "'self'"
    assert csp["default-src"] == "'self'" and csp["frame-ancestors"] == "'none'"


def test_authenticated_pages_are_never_stored(client, login, commune_officer, make_ticket):
    ticket = make_ticket(commune_officer)
    login(commune_officer)
    for url in ("/tickets", f"/tickets/{ticket.reference}", "/tickets/new", "/no-such-page"):
        response = client.get(url)
        assert response.cache_control.no_store, url
        assert "base-uri 'none'" in response.headers["Content-Security-Policy"], url
    redirect = client.post(f"/tickets/{ticket.reference}/messages", data={"body": "Bổ sung"})
    assert redirect.status_code == 302 and redirect.cache_control.no_store


def test_attachment_downloads_stay_private_and_unstored(client, login, commune_officer):
    login(commune_officer)
    client.post("/tickets/new", content_type="multipart/form-data", data={
        "category": "bien_che", "title": "Có tệp", "description": "Nội dung", "urgency": "normal",
        "attachments": [(io.BytesIO(PDF), "a.pdf")]})
    page = client.get("/tickets").get_data(as_text=True)
    reference = page.split("/tickets/PUN-")[1].split('"')[0]
    response = client.get(f"/tickets/PUN-{reference}/attachments/1")
    assert response.status_code == 200
    assert response.cache_control.no_store and response.cache_control.private


def test_api_answers_are_never_stored(client, commune_officer, db):
    headers = {"Authorization": f"Bearer {issue_token(commune_officer)}"}
    db.session.commit()
    assert client.get("/api/v1/tickets", headers=headers).cache_control.no_store
    assert client.get("/api/v1/tickets/PUN-2026-999999", headers=headers).cache_control.no_store


def test_anonymous_pages_and_static_files_may_be_cached(client, login, commune_officer):
    assert not client.get("/login").cache_control.no_store
    login(commune_officer)
    assert not client.get("/static/app.css").cache_control.no_store


def test_hsts_is_sent_when_cookies_are_secure(client, secure_cookies):
    response = client.get("/login", base_url="https://tracker.test")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_hsts_on_a_plain_http_setup(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
