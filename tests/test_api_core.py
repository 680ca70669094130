"""The API's foundation: token scopes, the error shape in the caller's language, the full ticket JSON, the
OpenAPI document generated from the schemas."""
import datetime as dt
import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from tracker import workflow
from tracker.accounts import issue_token
from tracker.enums import TokenScope
from tracker.models import ApiToken, Ticket
from tracker.tickets import post_message, triage_ticket

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NEW = {"category": "bien_che", "title": "Qua API", "description": "Nội dung"}


def test_a_read_only_token_reads_and_gets_403_on_every_write(client, bearer, commune_officer, db):
    reader = bearer(commune_officer, TokenScope.READ)
    assert client.get("/api/v1/tickets", headers=reader).status_code == 200
    refused = client.post("/api/v1/tickets", headers=reader, json=NEW)
    assert refused.status_code == 403
    assert "chỉ được đọc" in refused.get_json()["error"]
    assert db.session.scalar(select(func.count(Ticket.id))) == 0
    assert client.post("/api/v1/tickets", headers=bearer(commune_officer), json=NEW).status_code == 201


def test_the_cli_issues_read_only_tokens_and_read_write_by_default(app, commune_officer, db):
    runner = app.test_cli_runner()
    plain = runner.invoke(args=["users", "token", commune_officer.email])
    read_only = runner.invoke(args=["users", "token", commune_officer.email, "--read-only"])
    assert plain.exit_code == 0 and read_only.exit_code == 0
    scopes = dict(db.session.execute(select(ApiToken.token_hash, ApiToken.scope)).all())
    from tracker.accounts import hash_token

    assert scopes[hash_token(plain.output.strip())] == "write"
    assert scopes[hash_token(read_only.output.strip())] == "read"


def test_errors_are_json_in_the_callers_language(client, bearer, commune_officer, db):
    missing = client.get("/api/v1/tickets")
    assert missing.status_code == 401 and missing.is_json and missing.headers["WWW-Authenticate"] == "Bearer"
    headers = bearer(commune_officer)
    unknown = client.get("/api/v1/tickets/PUN-2026-999999", headers=headers)
    assert unknown.status_code == 404 and unknown.get_json() == {"error": "Không tìm thấy, hoặc bạn không được xem."}
    bad = client.post("/api/v1/tickets", headers=headers, json={"title": ["x"], "description": "x"})
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == {"title": "Phải là văn bản.", "category": "Trường này là bắt buộc."}
    commune_officer.locale = "en"
    db.session.commit()
    english = client.post("/api/v1/tickets", headers=headers, json={"title": 5, "description": "x",
                                                                   "category": "bien_che"})
    assert english.get_json() == {"error": "The request has errors.", "errors": {"title": "Must be text."}}
    refused = client.post("/api/v1/tickets", headers=headers, json={**NEW, "category": "nope"})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"category"}
    assert "Choose" in refused.get_json()["errors"]["category"]


def test_the_ticket_json_shows_the_answer_deadlines_links_and_files(client, bearer, make_ticket, commune_officer,
                                                                    triage_user, specialist, unit, db):
    ticket = make_ticket(commune_officer)
    other = make_ticket(commune_officer, title="Liên quan")
    triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="khan",
                  lead_unit=unit, assignee=specialist)
    workflow.link(triage_user, ticket, other=other)
    db.session.commit()
    post_message(specialist, ticket, body="Nội bộ", internal=True,
                 files=[FileStorage(io.BytesIO(PDF), "ghi-chu.pdf")])
    workflow.answer(specialist, ticket, version=ticket.version, body="Áp dụng Nghị định 150.", outcome="answered",
                    reply_doc_number="12/BNV", reply_doc_date=dt.date(2026, 1, 5),
                    files=[FileStorage(io.BytesIO(PDF), "cong-van.pdf")])
    db.session.commit()
    body = client.get(f"/api/v1/tickets/{ticket.reference}", headers=bearer(commune_officer)).get_json()
    assert body["status"] == "answered" and body["outcome"] == "answered"
    assert body["reply_document"] == {"number": "12/BNV", "date": "2026-01-05"}
    assert body["sla"]["answer"]["state"] in ("met", "missed") and body["sla"]["answer"]["due_at"]
    assert body["sla"]["first_response"]["due_at"] and body["answered_at"]
    assert body["links"] == [other.reference]
    assert body["assignee"]["id"] == specialist.id and body["lead_unit"] == unit.code
    [answer] = [m for m in body["messages"] if m["kind"] == "answer"]
    [file] = answer["attachments"]
    assert file["name"] == "cong-van.pdf" and file["content_type"] == "application/pdf"
    assert file["download_url"] == f"/api/v1/tickets/{ticket.reference}/attachments/{file['id']}"
    assert [a["id"] for a in body["attachments"]] == [file["id"]]
    assert all(m["kind"] != "note" for m in body["messages"])  # nor the note's file, above
    team = client.get(f"/api/v1/tickets/{ticket.reference}", headers=bearer(triage_user)).get_json()
    assert len(team["attachments"]) == 2 and [m["kind"] for m in team["messages"]] == ["note", "answer"]


def test_the_openapi_document_is_generated_and_valid(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    ticket = spec["components"]["schemas"]["Ticket"]["properties"]
    assert {"outcome", "reply_document", "sla", "links", "attachments", "messages"} <= set(ticket)
    message_kinds = spec["components"]["schemas"]["Message"]["properties"]["kind"]["enum"]
    assert "answer" in message_kinds  # the hand-written document forgot it


@pytest.mark.parametrize("payload", [
    {**NEW, "title": "a\u0000b"}, {**NEW, "description": "\u0000"}, {**NEW, "category": "bien\u0000che"},
    {**NEW, "locality": "\u0000"}, {**NEW, "legal_basis": "x\u0000"}, {**NEW, "urgency": "\u0000"},
])
def test_a_nul_character_in_json_is_refused_not_a_500(client, bearer, commune_officer, db, payload):
    response = client.post("/api/v1/tickets", headers=bearer(commune_officer), json=payload)
    assert response.status_code in (400, 422) and response.is_json
    assert db.session.scalar(select(func.count(Ticket.id))) == 0


def test_a_json_body_nested_too_deeply_is_a_400(client, bearer, commune_officer):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/tickets", headers={**bearer(commune_officer), "Content-Type": "application/json"},
                           data=body)
    assert response.status_code in (400, 422) and response.is_json


def test_the_admin_creates_a_read_only_token_and_sees_each_tokens_scope(client, login, make_user, commune_officer,
                                                                        db):
    from tracker.enums import Role

    login(make_user(Role.ADMIN))
    issue_token(commune_officer, name="Cổng tỉnh")
    db.session.commit()
    page = client.post(f"/admin/users/{commune_officer.id}/tokens", data={"name": "Báo cáo", "read_only": "y"})
    assert page.status_code == 200
    scopes = dict(db.session.execute(select(ApiToken.name, ApiToken.scope)).all())
    assert scopes == {"Cổng tỉnh": "write", "Báo cáo": "read"}
    listing = client.get(f"/admin/users/{commune_officer.id}").get_data(as_text=True)
    assert "đọc và ghi" in listing and "chỉ đọc" in listing
