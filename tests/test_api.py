"""The JSON API: bearer tokens, the same visibility scope, 404 for what is not visible, clear 422s."""
import pytest
from sqlalchemy import func, select

from tracker.enums import Role
from tracker.models import Ticket


def test_requests_without_a_valid_token_are_401(client, commune_officer):
    assert client.get("/api/v1/tickets").status_code == 401
    assert client.get("/api/v1/tickets", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/tickets", headers={"Authorization": "Basic abc"}).status_code == 401


def test_deactivated_users_token_stops_working(client, bearer, commune_officer, db):
    headers = bearer(commune_officer)
    commune_officer.active = False
    db.session.commit()
    assert client.get("/api/v1/tickets", headers=headers).status_code == 401


def test_list_uses_the_visibility_scope(client, bearer, make_user, make_ticket, commune_officer, ba_dinh):
    own = make_ticket(commune_officer, title="Của tôi")
    sibling = make_ticket(make_user(Role.COMMUNE, ba_dinh), title="Của xã bên")
    body = client.get("/api/v1/tickets", headers=bearer(commune_officer)).get_json()
    assert [t["reference"] for t in body["items"]] == [own.reference]
    assert body["total"] == 1
    assert client.get(f"/api/v1/tickets/{sibling.reference}", headers=bearer(commune_officer)).status_code == 404


def test_detail_hides_internal_notes_from_the_locality(client, bearer, make_ticket, commune_officer, triage_user,
                                                        db):
    from tracker.tickets import post_message

    ticket = make_ticket(commune_officer)
    post_message(triage_user, ticket, body="Ghi chú nội bộ", internal=True)
    post_message(triage_user, ticket, body="Trả lời công khai")
    db.session.commit()
    body = client.get(f"/api/v1/tickets/{ticket.reference}", headers=bearer(commune_officer)).get_json()
    assert [m["body"] for m in body["messages"]] == ["Trả lời công khai"]
    team = client.get(f"/api/v1/tickets/{ticket.reference}", headers=bearer(triage_user)).get_json()
    assert len(team["messages"]) == 2


def test_commune_files_through_the_api(client, bearer, commune_officer, db):
    response = client.post("/api/v1/tickets", headers=bearer(commune_officer),
                           json={"category": "bien_che", "title": "Qua API", "description": "Nội dung"})
    assert response.status_code == 201
    assert response.get_json()["reference"].startswith("PUN-")
    assert db.session.scalar(select(Ticket.locality_id)) == commune_officer.locality_id


@pytest.mark.parametrize("payload, field, message", [
    ({"title": "", "description": "x", "category": "bien_che"}, "title", "là bắt buộc"),
    ({"title": "x" * 301, "description": "x", "category": "bien_che"}, "title", "quá dài"),
    ({"title": 5, "description": "x", "category": "bien_che"}, "title", "Phải là văn bản"),
    ({"title": "x", "description": "x", "category": "nope"}, "category", "Chọn lĩnh vực"),
    ({"title": "x", "description": "x", "category": "bien_che", "urgency": "hoa_toc"}, "urgency", "mức độ khẩn"),
])
def test_bad_api_input_is_a_clear_422_and_saves_nothing(client, bearer, commune_officer, db, payload, field,
                                                        message):
    response = client.post("/api/v1/tickets", headers=bearer(commune_officer), json=payload)
    assert response.status_code == 422
    assert message in response.get_json()["errors"][field]
    assert db.session.scalar(select(func.count(Ticket.id))) == 0


def test_province_cannot_file_for_another_provinces_commune(client, bearer, province_coordinator, ben_thanh, db):
    response = client.post("/api/v1/tickets", headers=bearer(province_coordinator),
                           json={"title": "x", "description": "x", "category": "bien_che", "locality": "26740"})
    assert response.status_code == 422 and "locality" in response.get_json()["errors"]
    assert db.session.scalar(select(func.count(Ticket.id))) == 0


def test_a_body_that_is_not_json_is_415_and_broken_json_is_422(client, bearer, commune_officer):
    headers = bearer(commune_officer)
    assert client.post("/api/v1/tickets", headers=headers, data="not json").status_code == 415
    broken = client.post("/api/v1/tickets", headers={**headers, "Content-Type": "application/json"}, data="{not json")
    assert broken.status_code == 422 and "body" in broken.get_json()["errors"]


def test_team_roles_cannot_file_through_the_api(client, bearer, triage_user):
    response = client.post("/api/v1/tickets", headers=bearer(triage_user),
                           json={"title": "x", "description": "x", "category": "bien_che"})
    assert response.status_code == 404


def test_openapi_document_describes_the_routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/tickets"])
    assert "get" in spec["paths"]["/api/v1/tickets/{reference}"]
    for path in spec["paths"]:
        path = path.replace("{reference}", "PUN-2026-000001").replace("{attachment_id}", "1")
        assert client.get(path).status_code in (401, 405)
