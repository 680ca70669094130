"""The API speaks JSON whatever goes wrong: an unknown path, a wrong method, a body too large or not JSON,
a lone surrogate, a server error; each with the one error shape and nothing saved."""
import pytest
from sqlalchemy import func, select

from tracker.models import Ticket


def assert_json_error(response, code: int) -> dict:
    assert response.status_code == code, response.get_data(as_text=True)[:300]
    assert response.is_json
    body = response.get_json()
    assert isinstance(body["error"], str) and body["error"]
    return body


def tickets(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Ticket.id)))


def test_an_unknown_path_under_the_api_is_a_json_404(client, bearer, commune_officer):
    assert_json_error(client.get("/api/v1/nothing-here", headers=bearer(commune_officer)), 404)
    assert_json_error(client.get("/api/v1/nothing-here"), 404)


def test_a_wrong_method_is_a_json_405(client, bearer, commune_officer):
    assert_json_error(client.delete("/api/v1/tickets", headers=bearer(commune_officer)), 405)


def test_a_body_that_is_not_json_is_415_and_files_nothing(client, bearer, commune_officer, db):
    response = client.post("/api/v1/tickets", headers={**bearer(commune_officer), "Content-Type": "text/plain"},
                           data="category=bien_che&title=x")
    assert_json_error(response, 415)
    assert tickets(db) == 0


def test_a_body_too_large_is_a_json_413(app, client, bearer, commune_officer, db):
    headers = bearer(commune_officer)
    app.config["MAX_CONTENT_LENGTH"], before = 1024, app.config["MAX_CONTENT_LENGTH"]
    try:
        response = client.post("/api/v1/tickets", headers=headers,
                               json={"category": "bien_che", "title": "x", "description": "y" * 5000})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = before
    assert_json_error(response, 413)
    assert tickets(db) == 0


@pytest.mark.parametrize("raw", [
    b'{"category": "bien_che", "title": "\\ud800", "description": "x"}',
    b'{"category": "bien_che", "title": "ok", "description": "\\udfff tail"}',
])
def test_a_lone_surrogate_in_json_is_refused_not_a_500(client, bearer, commune_officer, db, raw):
    response = client.post("/api/v1/tickets", headers={**bearer(commune_officer), "Content-Type": "application/json"},
                           data=raw)
    assert response.status_code in (400, 422)
    assert_json_error(response, response.status_code)
    assert tickets(db) == 0


def test_a_server_error_in_the_api_is_json_and_tells_nothing_inside(app, client, bearer, commune_officer,
                                                                    monkeypatch):
    from tracker.views.api import routes

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(routes, "ticket_document", broken, raising=False)
    app.config["PROPAGATE_EXCEPTIONS"], before = False, app.config.get("PROPAGATE_EXCEPTIONS")
    try:
        response = client.post("/api/v1/tickets", headers=bearer(commune_officer),
                               json={"category": "bien_che", "title": "Sẽ lỗi", "description": "x"})
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = before
    body = assert_json_error(response, 500)
    assert "boom" not in body["error"]
