"""Every action the web offers, through the JSON API: the same domain functions, rules, visibility and messages.

Refusals answer as the web does: a triage-only route (triage, bulk triage) is 404 for whoever may not triage;
an obstacle the caller may not see is 404; a rule that refuses the action is 422 with its reason in the
caller's language (Vietnamese by default), and nothing is changed.
"""
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from tracker import workflow
from tracker.accounts import issue_token
from tracker.enums import Role
from tracker.models import Attachment, Message, Ticket, TicketLink, Unit
from tracker.tickets import triage_ticket

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def api(client, bearer):
    """POST (JSON, or multipart when `files` are given) as a user; returns the response."""

    def call(user, path, json=None, files=None, data=None, headers=None, method="POST"):
        all_headers = {**bearer(user), **(headers or {})}
        url = f"/api/v1{path}"
        if files is not None:
            form = {**(data or {}), "attachments": [(io.BytesIO(content), name) for name, content in files]}
            return client.open(url, method=method, data=form, headers=all_headers, content_type="multipart/form-data")
        return client.open(url, method=method, json=json, headers=all_headers)

    return call


@pytest.fixture
def assign(db, triage_user, unit, specialist):
    def do(ticket, assignee=specialist):
        triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="khan",
                      lead_unit=unit, assignee=assignee)
        db.session.commit()
        return ticket

    return do


@pytest.fixture
def answered(db, make_ticket, commune_officer, assign, specialist):
    def do(**fields):
        ticket = assign(make_ticket(commune_officer, **fields))
        workflow.answer(specialist, ticket, version=ticket.version, body="Áp dụng Nghị định 150.", outcome="answered")
        db.session.commit()
        return ticket

    return do


@pytest.fixture
def sibling(make_user, ba_dinh):
    """A commune officer of another commune of the same province."""
    return make_user(Role.COMMUNE, ba_dinh, name="Cán bộ Ba Đình")


def fresh(db, ticket) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


def error_of(response, field=None) -> str:
    """The message beside `field`; without one, everything the refusal says (a rule that names no field)."""
    body = response.get_json()
    if field:
        return body["errors"][field]
    return " ".join([body["error"], *body.get("errors", {}).values()])


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# Triage ------------------------------------------------------------------------------------------------

def test_triage_sets_category_urgency_units_assignee_and_deadline(api, db, make_ticket, commune_officer,
                                                                 triage_user, unit, specialist):
    ticket = make_ticket(commune_officer)
    other = db.session.scalar(select(Unit).where(Unit.code != unit.code, Unit.active.is_(True)))
    response = api(triage_user, f"/tickets/{ticket.reference}/triage", json={
        "category": "bien_che", "urgency": "thuong_khan", "lead_unit": unit.code, "assignee": specialist.id,
        "coordinating_units": [other.code], "due_date": _next_year_day(), "version": ticket.version})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["reference"] == ticket.reference
    assert response.get_json()["status"] == "assigned"
    ticket = fresh(db, ticket)
    assert (ticket.urgency, ticket.lead_unit_id, ticket.assignee_id) == ("thuong_khan", unit.id, specialist.id)
    assert [u.code for u in ticket.coordinating_units] == [other.code]
    assert ticket.explicit_due_at is not None


def _next_year_day() -> str:
    return dt.date(dt.date.today().year + 1, 3, 2).isoformat()


def test_triage_keeps_what_is_left_out(api, db, make_ticket, commune_officer, triage_user, unit):
    ticket = make_ticket(commune_officer)
    assert api(triage_user, f"/tickets/{ticket.reference}/triage", json={"lead_unit": unit.code}).status_code == 200
    ticket = fresh(db, ticket)
    assert (ticket.category.code, ticket.lead_unit_id, ticket.status) == ("bien_che", unit.id, "assigned")


@pytest.mark.parametrize("role", [Role.COMMUNE, Role.PROVINCE, Role.SPECIALIST])
def test_triage_is_404_for_whoever_may_not_triage(api, db, make_user, make_ticket, commune_officer, hanoi, hoan_kiem,
                                                  unit, role):
    ticket = make_ticket(commune_officer)
    user = make_user(role, {Role.COMMUNE: hoan_kiem, Role.PROVINCE: hanoi}.get(role), unit if role is Role.SPECIALIST
                     else None)
    response = api(user, f"/tickets/{ticket.reference}/triage", json={"lead_unit": unit.code})
    assert response.status_code == 404
    assert fresh(db, ticket).lead_unit_id is None


@pytest.mark.parametrize("payload, field, message", [
    ({"category": ""}, "category", "lĩnh vực"),
    ({"category": "nope"}, "category", "Chọn một giá trị"),
    ({"category": 5}, "category", "Phải là văn bản"),
    ({"urgency": "hoa_toc_lam"}, "urgency", "mức độ khẩn"),
    ({"lead_unit": "x" * 51}, "lead_unit", "quá dài"),
    ({"lead_unit": "khong_co"}, "lead_unit", "Chọn một giá trị"),
    ({"lead_unit": ["moha_tcbc"]}, "lead_unit", "Phải là văn bản"),
    ({"assignee": "abc"}, "assignee", ""),
    ({"assignee": 999999}, "assignee", "chuyên viên"),
    ({"coordinating_units": "moha_tcbc"}, "coordinating_units", ""),
    ({"due_date": "2020-01-01"}, "due_date", "quá khứ"),
    ({"due_date": "01/02/2030"}, "due_date", "yyyy-mm-dd"),
    ({"version": "x"}, "version", ""),
])
def test_bad_triage_input_is_a_clear_422_and_changes_nothing(api, db, make_ticket, commune_officer, triage_user,
                                                            payload, field, message):
    ticket = make_ticket(commune_officer)
    response = api(triage_user, f"/tickets/{ticket.reference}/triage", json=payload)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert message in error_of(response, field)
    assert fresh(db, ticket).version == ticket.version


def test_triage_refuses_an_assignee_of_another_unit(api, db, make_ticket, commune_officer, triage_user, unit,
                                                    make_user):
    other = db.session.scalar(select(Unit).where(Unit.code != unit.code, Unit.active.is_(True)))
    foreign = make_user(Role.SPECIALIST, unit=other)
    ticket = make_ticket(commune_officer)
    response = api(triage_user, f"/tickets/{ticket.reference}/triage",
                   json={"lead_unit": unit.code, "assignee": foreign.id})
    assert response.status_code == 422
    assert "chuyên viên" in error_of(response, "assignee")


def test_an_unknown_reference_is_404(api, triage_user):
    assert api(triage_user, "/tickets/PUN-2026-999999/triage", json={}).status_code == 404
    assert api(triage_user, "/tickets/PUN-2026-999999/start", json={}).status_code == 404


# Versions: the body's version or If-Match ---------------------------------------------------------------------

def test_a_stale_version_is_409_and_changes_nothing(api, db, make_ticket, commune_officer, triage_user, unit):
    ticket = make_ticket(commune_officer)
    response = api(triage_user, f"/tickets/{ticket.reference}/triage",
                   json={"lead_unit": unit.code, "version": ticket.version + 1})
    assert response.status_code == 409
    assert "Người khác đã thay đổi" in error_of(response)
    assert fresh(db, ticket).lead_unit_id is None


def test_if_match_with_the_tickets_etag_goes_through_and_a_stale_one_is_412(api, client, bearer, db, make_ticket,
                                                                           commune_officer, triage_user, unit):
    ticket = make_ticket(commune_officer)
    etag = client.get(f"/api/v1/tickets/{ticket.reference}", headers=bearer(triage_user)).headers["ETag"]
    response = api(triage_user, f"/tickets/{ticket.reference}/triage", json={"urgency": "khan"},
                   headers={"If-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    stale = api(triage_user, f"/tickets/{ticket.reference}/triage", json={"lead_unit": unit.code},
                headers={"If-Match": etag})
    assert stale.status_code == 412
    assert "If-Match" in error_of(stale)
    assert fresh(db, ticket).lead_unit_id is None
    assert api(triage_user, f"/tickets/{ticket.reference}/triage", json={"lead_unit": unit.code},
               headers={"If-Match": "*"}).status_code == 200


# Start, ask the locality, the locality's reply --------------------------------------------------------------

def test_the_specialist_starts_work(api, db, make_ticket, commune_officer, assign, specialist):
    ticket = assign(make_ticket(commune_officer))
    response = api(specialist, f"/tickets/{ticket.reference}/start", json={})
    assert response.status_code == 200
    assert response.get_json()["status"] == "in_progress"


def test_the_locality_may_not_start_work(api, db, make_ticket, commune_officer, assign):
    ticket = assign(make_ticket(commune_officer))
    response = api(commune_officer, f"/tickets/{ticket.reference}/start", json={})
    assert response.status_code == 422
    assert "không được xử lý" in error_of(response)
    assert fresh(db, ticket).status == "assigned"


def test_ask_then_the_locality_replies_and_the_clock_resumes(api, db, make_ticket, commune_officer, assign,
                                                            specialist):
    ticket = assign(make_ticket(commune_officer))
    asked = api(specialist, f"/tickets/{ticket.reference}/ask", json={"body": "Xin gửi quyết định giao biên chế."})
    assert asked.status_code == 200
    assert asked.get_json()["status"] == "awaiting_locality"
    replied = api(commune_officer, f"/tickets/{ticket.reference}/reply", files=[("Quyết định.pdf", PDF)],
                  data={"body": "Gửi kèm quyết định."})
    assert replied.status_code == 200, replied.get_data(as_text=True)
    assert replied.get_json()["status"] == "assigned"
    attachment = db.session.scalar(select(Attachment).where(Attachment.ticket_id == ticket.id))
    assert attachment.original_name == "Quyết định.pdf" and attachment.message.body == "Gửi kèm quyết định."


@pytest.mark.parametrize("payload, field, message", [
    ({}, "body", "bắt buộc"), ({"body": ""}, "body", "bắt buộc"), ({"body": "   "}, "body", "bắt buộc"),
    ({"body": "x" * 20_001}, "body", "quá dài"), ({"body": 12}, "body", "Phải là văn bản"),
])
def test_bad_questions_are_422(api, db, make_ticket, commune_officer, assign, specialist, payload, field, message):
    ticket = assign(make_ticket(commune_officer))
    response = api(specialist, f"/tickets/{ticket.reference}/ask", json=payload)
    assert response.status_code == 422
    assert message in error_of(response, field)
    assert fresh(db, ticket).status == "assigned"


def test_another_locality_cannot_reply_nor_see(api, db, make_ticket, commune_officer, sibling):
    ticket = make_ticket(commune_officer)
    assert api(sibling, f"/tickets/{ticket.reference}/reply", json={"body": "Xen vào"}).status_code == 404
    assert count(db, Message) == 0


def test_a_file_that_is_not_a_document_is_refused_and_nothing_is_sent(api, db, make_ticket, commune_officer,
                                                                     assign, specialist):
    ticket = assign(make_ticket(commune_officer))
    response = api(specialist, f"/tickets/{ticket.reference}/ask", files=[("cong-van.pdf", b"<html>x</html>")],
                   data={"body": "Xin bổ sung."})
    assert response.status_code == 422
    assert "cong-van.pdf" in error_of(response, "attachments")
    assert (count(db, Message), count(db, Attachment), fresh(db, ticket).status) == (0, 0, "assigned")


# Answer, download the reply document ---------------------------------------------------------------------

def test_answer_with_outcome_reply_document_and_file(api, client, bearer, db, make_ticket, commune_officer,
                                                     assign, specialist):
    ticket = assign(make_ticket(commune_officer))
    response = api(specialist, f"/tickets/{ticket.reference}/answer", files=[("Công văn 1234.pdf", PDF)], data={
        "body": "Thực hiện theo Nghị định 150.", "outcome": "needs_legal_change",
        "reply_doc_number": "1234/BNV-CQĐP", "reply_doc_date": "2025-06-12"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["status"], body["outcome"]) == ("answered", "needs_legal_change")
    ticket = fresh(db, ticket)
    assert (ticket.reply_doc_number, ticket.reply_doc_date.isoformat()) == ("1234/BNV-CQĐP", "2025-06-12")
    attachment = db.session.scalar(select(Attachment).where(Attachment.ticket_id == ticket.id))
    download = client.get(f"/api/v1/tickets/{ticket.reference}/attachments/{attachment.id}",
                          headers=bearer(commune_officer))
    assert download.status_code == 200
    assert download.data == PDF
    assert "filename*=UTF-8''C%C3%B4ng" in download.headers["Content-Disposition"]


def test_the_answer_as_json_as_design_names_it(api, db, make_ticket, commune_officer, assign, specialist):
    ticket = assign(make_ticket(commune_officer))
    response = api(specialist, f"/tickets/{ticket.reference}/answer", json={"body": "Trả lời.", "outcome": "answered"})
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "answered"


@pytest.mark.parametrize("payload, field, message", [
    ({"outcome": "answered"}, "body", "bắt buộc"),
    ({"body": "", "outcome": "answered"}, "body", "bắt buộc"),
    ({"body": "x" * 20_001, "outcome": "answered"}, "body", "quá dài"),
    ({"body": "x"}, "outcome", "kết quả"),
    ({"body": "x", "outcome": "tot"}, "outcome", "kết quả"),
    ({"body": "x", "outcome": 1}, "outcome", ""),
    ({"body": "x", "outcome": "answered", "reply_doc_number": "1" * 101}, "reply_doc_number", "quá dài"),
    ({"body": "x", "outcome": "answered", "reply_doc_date": "12/06/2025"}, "reply_doc_date", "yyyy-mm-dd"),
    ({"body": "x", "outcome": "answered", "reply_doc_date": "2999-01-01"}, "reply_doc_date", "tương lai"),
])
def test_bad_answers_are_422_and_change_nothing(api, db, make_ticket, commune_officer, assign, specialist, payload,
                                                field, message):
    ticket = assign(make_ticket(commune_officer))
    response = api(specialist, f"/tickets/{ticket.reference}/answer", json=payload)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert message in error_of(response, field)
    assert (fresh(db, ticket).status, count(db, Message)) == ("assigned", 0)


def test_a_specialist_of_another_unit_may_not_answer(api, db, make_ticket, commune_officer, assign, make_user, unit):
    other = db.session.scalar(select(Unit).where(Unit.code != unit.code, Unit.active.is_(True)))
    outsider = make_user(Role.SPECIALIST, unit=other)
    ticket = assign(make_ticket(commune_officer))
    response = api(outsider, f"/tickets/{ticket.reference}/answer", json={"body": "x", "outcome": "answered"})
    assert response.status_code == 422
    assert fresh(db, ticket).status == "assigned"


# Confirm, reopen, rate ---------------------------------------------------------------------------------------

def test_the_locality_confirms(api, db, answered, commune_officer):
    ticket = answered()
    response = api(commune_officer, f"/tickets/{ticket.reference}/confirm", json={})
    assert response.status_code == 200
    assert response.get_json()["status"] == "closed"


def test_only_the_filing_locality_confirms(api, db, answered, triage_user, sibling):
    ticket = answered()
    refused = api(triage_user, f"/tickets/{ticket.reference}/confirm", json={})
    assert refused.status_code == 422
    assert "Chỉ địa phương" in error_of(refused)
    assert api(sibling, f"/tickets/{ticket.reference}/confirm", json={}).status_code == 404
    assert fresh(db, ticket).status == "answered"


def test_the_locality_reopens_with_a_reason(api, db, answered, commune_officer):
    ticket = answered()
    response = api(commune_officer, f"/tickets/{ticket.reference}/reopen", json={"reason": "Chưa rõ điều 5."})
    assert response.status_code == 200
    assert response.get_json()["status"] == "in_progress"


@pytest.mark.parametrize("payload, message", [({}, "bắt buộc"), ({"reason": ""}, "bắt buộc"),
                                              ({"reason": "x" * 20_001}, "quá dài"), ({"reason": []}, "văn bản")])
def test_a_reopen_needs_a_reason(api, db, answered, commune_officer, payload, message):
    ticket = answered()
    response = api(commune_officer, f"/tickets/{ticket.reference}/reopen", json=payload)
    assert response.status_code == 422
    assert message in error_of(response, "reason")
    assert fresh(db, ticket).status == "answered"


def test_the_locality_rates_once(api, db, answered, commune_officer):
    ticket = answered()
    response = api(commune_officer, f"/tickets/{ticket.reference}/rating", json={"score": 4, "comment": "Rõ ràng."})
    assert response.status_code == 200
    assert (fresh(db, ticket).rating, fresh(db, ticket).rating_comment) == (4, "Rõ ràng.")
    again = api(commune_officer, f"/tickets/{ticket.reference}/rating", json={"score": 5})
    assert again.status_code == 422
    assert fresh(db, ticket).rating == 4


@pytest.mark.parametrize("payload, field", [({}, "score"), ({"score": 0}, "score"), ({"score": 6}, "score"),
                                            ({"score": "5"}, "score"), ({"score": 4.5}, "score"),
                                            ({"score": 4, "comment": "x" * 2001}, "comment")])
def test_bad_ratings_are_422(api, db, answered, commune_officer, payload, field):
    ticket = answered()
    response = api(commune_officer, f"/tickets/{ticket.reference}/rating", json=payload)
    assert response.status_code == 422
    assert error_of(response, field)
    assert fresh(db, ticket).rating is None


def test_another_locality_may_not_rate(api, db, answered, sibling):
    ticket = answered()
    assert api(sibling, f"/tickets/{ticket.reference}/rating", json={"score": 1}).status_code == 404


# Merge, link, transfer ---------------------------------------------------------------------------------------

def test_triage_merges_a_duplicate_into_the_main_obstacle(api, db, make_ticket, commune_officer, triage_user):
    main, duplicate = make_ticket(commune_officer, title="Chính"), make_ticket(commune_officer, title="Trùng")
    response = api(triage_user, f"/tickets/{duplicate.reference}/merge", json={"main": main.reference.lower()})
    assert response.status_code == 200
    assert response.get_json()["status"] == "duplicate"
    assert fresh(db, duplicate).duplicate_of_id == main.id


@pytest.mark.parametrize("main, message", [("", "bắt buộc"), ("PUN-2026-999999", "Không có"), ("x" * 31, "quá dài"),
                                           (7, "văn bản"), ("self", "chính nó")])
def test_bad_merges_are_422(api, db, make_ticket, commune_officer, triage_user, main, message):
    ticket = make_ticket(commune_officer)
    main = ticket.reference if main == "self" else main
    response = api(triage_user, f"/tickets/{ticket.reference}/merge", json={"main": main})
    assert response.status_code == 422
    assert message in error_of(response, "main")
    assert fresh(db, ticket).status == "new"


def test_the_locality_may_not_merge_and_cannot_name_an_obstacle_it_does_not_see(api, db, make_ticket,
                                                                               commune_officer, sibling):
    own, foreign = make_ticket(commune_officer), make_ticket(sibling)
    response = api(commune_officer, f"/tickets/{own.reference}/merge", json={"main": foreign.reference})
    assert response.status_code == 422
    assert fresh(db, own).status == "new"


def test_triage_links_two_obstacles_once(api, db, make_ticket, commune_officer, sibling, triage_user):
    one, other = make_ticket(commune_officer), make_ticket(sibling)
    assert api(triage_user, f"/tickets/{one.reference}/links", json={"other": other.reference}).status_code == 200
    assert count(db, TicketLink) == 1
    again = api(triage_user, f"/tickets/{other.reference}/links", json={"other": one.reference})
    assert again.status_code == 422
    assert "đã được liên kết" in error_of(again, "other")


def test_a_locality_may_not_link(api, db, make_ticket, commune_officer):
    one, other = make_ticket(commune_officer), make_ticket(commune_officer)
    assert api(commune_officer, f"/tickets/{one.reference}/links", json={"other": other.reference}).status_code == 422
    assert count(db, TicketLink) == 0


def test_triage_transfers_to_a_competent_agency(api, db, make_ticket, commune_officer, triage_user):
    ticket = make_ticket(commune_officer)
    response = api(triage_user, f"/tickets/{ticket.reference}/transfer",
                   json={"agency": "Bộ Tài chính", "note": "Thuộc thẩm quyền Bộ Tài chính."})
    assert response.status_code == 200
    assert response.get_json()["status"] == "transferred"
    assert fresh(db, ticket).transferred_to == "Bộ Tài chính"


@pytest.mark.parametrize("payload, field, message", [
    ({"note": "x"}, "agency", "bắt buộc"), ({"agency": "", "note": "x"}, "agency", "bắt buộc"),
    ({"agency": "x" * 201, "note": "x"}, "agency", "quá dài"), ({"agency": {}, "note": "x"}, "agency", "văn bản"),
    ({"agency": "Bộ Tài chính"}, "note", "bắt buộc"),
])
def test_bad_transfers_are_422(api, db, make_ticket, commune_officer, triage_user, payload, field, message):
    ticket = make_ticket(commune_officer)
    response = api(triage_user, f"/tickets/{ticket.reference}/transfer", json=payload)
    assert response.status_code == 422
    assert message in error_of(response, field)
    assert fresh(db, ticket).status == "new"


# Messages: internal notes and replies with attachments; downloads ----------------------------------------

def test_an_internal_note_with_a_file_stays_with_the_team(api, client, bearer, db, make_ticket, commune_officer,
                                                          triage_user):
    ticket = make_ticket(commune_officer)
    response = api(triage_user, f"/tickets/{ticket.reference}/messages", files=[("Ghi chú.pdf", PDF)],
                   data={"body": "Chỉ nội bộ.", "internal": "true"})
    assert response.status_code == 200, response.get_data(as_text=True)
    attachment = db.session.scalar(select(Attachment))
    assert attachment.message.kind == "note"
    url = f"/api/v1/tickets/{ticket.reference}/attachments/{attachment.id}"
    assert client.get(url, headers=bearer(triage_user)).status_code == 200
    assert client.get(url, headers=bearer(commune_officer)).status_code == 404
    seen = client.get(f"/api/v1/tickets/{ticket.reference}", headers=bearer(commune_officer)).get_data(as_text=True)
    assert "Chỉ nội bộ." not in seen and "Ghi chú.pdf" not in seen


def test_a_locality_may_not_write_an_internal_note(api, db, make_ticket, commune_officer):
    ticket = make_ticket(commune_officer)
    response = api(commune_officer, f"/tickets/{ticket.reference}/messages", json={"body": "x", "internal": True})
    assert response.status_code == 422
    assert count(db, Message) == 0


@pytest.mark.parametrize("payload, field", [({"body": ""}, "body"), ({"body": "x" * 20_001}, "body"),
                                            ({"body": 1}, "body"), ({"body": "x", "internal": "perhaps"}, "internal")])
def test_bad_messages_are_422(api, db, make_ticket, commune_officer, triage_user, payload, field):
    ticket = make_ticket(commune_officer)
    response = api(triage_user, f"/tickets/{ticket.reference}/messages", json=payload)
    assert response.status_code == 422
    assert error_of(response, field)
    assert count(db, Message) == 0


def test_downloads_follow_the_tickets_visibility(api, client, bearer, db, make_ticket, commune_officer, sibling):
    ticket = make_ticket(commune_officer)
    assert api(commune_officer, f"/tickets/{ticket.reference}/reply", files=[("a.pdf", PDF)],
               data={"body": "Kèm tệp."}).status_code == 200
    attachment = db.session.scalar(select(Attachment))
    other = make_ticket(sibling)
    assert client.get(f"/api/v1/tickets/{ticket.reference}/attachments/{attachment.id}",
                      headers=bearer(sibling)).status_code == 404
    assert client.get(f"/api/v1/tickets/{other.reference}/attachments/{attachment.id}",
                      headers=bearer(sibling)).status_code == 404  # not this ticket's file
    assert client.get(f"/api/v1/tickets/{ticket.reference}/attachments/99999999999999",
                      headers=bearer(commune_officer)).status_code == 404


def test_too_many_files_are_refused(api, app, db, make_ticket, commune_officer):
    ticket = make_ticket(commune_officer)
    files = [(f"{n}.pdf", PDF) for n in range(app.config["ATTACHMENT_MAX_FILES"] + 1)]
    response = api(commune_officer, f"/tickets/{ticket.reference}/reply", files=files, data={"body": "x"})
    assert response.status_code == 422
    assert count(db, Attachment) == 0


# Bulk triage -------------------------------------------------------------------------------------------------

def test_bulk_assign_routes_every_chosen_obstacle(api, db, make_ticket, commune_officer, triage_user, unit,
                                                   specialist):
    one, two = make_ticket(commune_officer), make_ticket(commune_officer)
    response = api(triage_user, "/triage/bulk", json={"action": "assign", "tickets": [one.reference, two.reference],
                                                      "unit": unit.code, "assignee": specialist.id})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["updated"] == 2
    assert {t["reference"] for t in response.get_json()["items"]} == {one.reference, two.reference}
    assert {fresh(db, t).assignee_id for t in (one, two)} == {specialist.id}


def test_bulk_urgency_with_versions(api, db, make_ticket, commune_officer, triage_user):
    one = make_ticket(commune_officer)
    read = one.version
    response = api(triage_user, "/triage/bulk", json={"action": "urgency", "tickets": [one.reference],
                                                      "urgency": "hoa_toc", "versions": {one.reference: read}})
    assert response.status_code == 200
    assert fresh(db, one).urgency == "hoa_toc"
    stale = api(triage_user, "/triage/bulk", json={"action": "urgency", "tickets": [one.reference],
                                                   "urgency": "khan", "versions": {one.reference: read}})
    assert stale.status_code == 409
    assert fresh(db, one).urgency == "hoa_toc"


@pytest.mark.parametrize("payload, field", [
    ({"action": "assign", "tickets": []}, "tickets"),
    ({"action": "assign", "tickets": "PUN"}, "tickets"),
    ({"action": "assign", "tickets": ["PUN-2026-999999"], "unit": "moha_tcbc"}, "tickets"),
    ({"action": "assign", "tickets": ["REAL"]}, "unit"),
    ({"action": "assign", "tickets": ["REAL"], "unit": "khong_co"}, "unit"),
    ({"action": "assign", "tickets": ["REAL"], "unit": "moha_tcbc", "assignee": 99999999}, "assignee"),
    ({"action": "urgency", "tickets": ["REAL"], "urgency": "rat_gap"}, "urgency"),
    ({"action": "delete", "tickets": ["REAL"]}, "action"),
    ({"action": "assign", "tickets": ["REAL"] * 201, "unit": "moha_tcbc"}, "tickets"),
])
def test_bad_bulk_input_changes_nothing(api, db, make_ticket, commune_officer, triage_user, payload, field):
    ticket = make_ticket(commune_officer)
    if isinstance(payload["tickets"], list):
        payload = {**payload, "tickets": [ticket.reference if r == "REAL" else r for r in payload["tickets"]]}
    response = api(triage_user, "/triage/bulk", json=payload)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert error_of(response, field)
    assert (fresh(db, ticket).lead_unit_id, fresh(db, ticket).urgency) == (None, ticket.urgency)


def test_one_refused_obstacle_refuses_the_whole_bulk(api, db, make_ticket, commune_officer, triage_user, unit):
    one, closed = make_ticket(commune_officer), make_ticket(commune_officer)
    workflow.transfer(triage_user, closed, version=closed.version, agency="Bộ Tài chính", note="x")
    db.session.commit()
    response = api(triage_user, "/triage/bulk", json={"action": "assign", "unit": unit.code,
                                                      "tickets": [one.reference, closed.reference]})
    assert response.status_code == 422
    assert closed.reference in error_of(response)
    assert fresh(db, one).lead_unit_id is None


def test_bulk_triage_is_404_for_whoever_may_not_triage(api, db, make_ticket, commune_officer, specialist, unit):
    ticket = make_ticket(commune_officer)
    for user in (commune_officer, specialist):
        response = api(user, "/triage/bulk", json={"action": "assign", "tickets": [ticket.reference],
                                                   "unit": unit.code})
        assert response.status_code == 404
    assert fresh(db, ticket).lead_unit_id is None


# Not JSON at all ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["triage", "start", "ask", "reply", "answer", "confirm", "reopen", "rating",
                                  "merge", "links", "transfer", "messages"])
def test_a_body_that_is_not_a_json_object_is_422_never_500(client, bearer, make_ticket, commune_officer,
                                                          triage_user, path):
    ticket = make_ticket(commune_officer)
    for body in ("[1, 2]", "nope", '"text"', "null"):
        response = client.post(f"/api/v1/tickets/{ticket.reference}/{path}", data=body,
                               headers={**bearer(triage_user), "Content-Type": "application/json"})
        assert response.status_code in (400, 422), (path, body, response.status_code)


# Done when: a province's system, through the API alone -------------------------------------------------------

def test_a_province_system_files_follows_replies_reads_the_answer_downloads_confirms_and_rates(
        api, client, bearer, db, province_coordinator, hoan_kiem, triage_user, specialist, unit):
    province = bearer(province_coordinator)

    def read(reference):
        response = client.get(f"/api/v1/tickets/{reference}", headers=province)
        assert response.status_code == 200
        return response.get_json()

    filed = api(province_coordinator, "/tickets", files=[("Tờ trình.pdf", PDF)], data={
        "category": "bien_che", "title": "Giao biên chế cho xã mới", "description": "Đề nghị hướng dẫn.",
        "locality": hoan_kiem.code})
    assert filed.status_code == 201, filed.get_data(as_text=True)
    reference = filed.get_json()["reference"]
    assert [a["name"] for a in filed.get_json()["attachments"]] == ["Tờ trình.pdf"]

    # The team works through the API too.
    assert api(triage_user, f"/tickets/{reference}/triage",
               json={"urgency": "khan", "lead_unit": unit.code, "assignee": specialist.id}).status_code == 200
    triaged = read(reference)
    assert (triaged["status"], triaged["lead_unit"], triaged["urgency"]) == ("assigned", unit.code, "khan")
    assert api(specialist, f"/tickets/{reference}/ask", json={"body": "Xin gửi đề án vị trí việc làm."}).status_code \
        == 200

    asked = read(reference)
    assert asked["status"] == "awaiting_locality"
    assert asked["messages"][-1]["body"] == "Xin gửi đề án vị trí việc làm."
    replied = api(province_coordinator, f"/tickets/{reference}/reply", files=[("Đề án.pdf", PDF)],
                  data={"body": "Gửi kèm đề án.", "version": str(asked["version"])})
    assert replied.status_code == 200, replied.get_data(as_text=True)

    document = b"%PDF-1.7\n% Cong van tra loi\n%%EOF\n"
    assert api(specialist, f"/tickets/{reference}/answer", files=[("Công văn 1234.pdf", document)], data={
        "body": "Thực hiện theo Nghị định 150.", "outcome": "answered", "reply_doc_number": "1234/BNV-CQĐP",
        "reply_doc_date": "2025-06-12"}).status_code == 200

    answer = read(reference)
    assert (answer["status"], answer["outcome"]) == ("answered", "answered")
    assert answer["reply_document"] == {"number": "1234/BNV-CQĐP", "date": "2025-06-12"}
    answer_message = next(m for m in answer["messages"] if m["kind"] == "answer")
    assert answer_message["body"] == "Thực hiện theo Nghị định 150."
    [file] = answer_message["attachments"]
    downloaded = client.get(file["download_url"], headers=province)
    assert (downloaded.status_code, downloaded.data) == (200, document)

    assert api(province_coordinator, f"/tickets/{reference}/confirm", json={}).status_code == 200
    rated = api(province_coordinator, f"/tickets/{reference}/rating", json={"score": 5, "comment": "Rất rõ."})
    assert rated.status_code == 200
    assert (rated.get_json()["status"], rated.get_json()["rating"]) == ("closed", 5)
    assert fresh(db, db.session.scalar(select(Ticket).where(Ticket.reference == reference))).rating == 5


# Every action: scope, visibility, versions ---------------------------------------------------------------

ACTIONS = ["triage", "start", "ask", "reply", "messages", "answer", "confirm", "reopen", "rating", "merge", "links",
           "transfer"]
VERSIONED = ["triage", "start", "ask", "reply", "messages", "answer", "confirm", "reopen", "rating", "merge",
             "transfer"]


@pytest.mark.parametrize("action", ACTIONS)
def test_a_read_only_token_may_not_act(client, db, make_ticket, commune_officer, triage_user, action):
    ticket = make_ticket(commune_officer)
    token = issue_token(triage_user, "read")
    db.session.commit()
    response = client.post(f"/api/v1/tickets/{ticket.reference}/{action}", json={"body": "x"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert fresh(db, ticket).version == ticket.version


def test_a_read_only_token_may_download(client, api, db, make_ticket, commune_officer):
    ticket = make_ticket(commune_officer)
    api(commune_officer, f"/tickets/{ticket.reference}/reply", files=[("a.pdf", PDF)], data={"body": "x"})
    attachment = db.session.scalar(select(Attachment))
    token = issue_token(commune_officer, "read")
    db.session.commit()
    response = client.get(f"/api/v1/tickets/{ticket.reference}/attachments/{attachment.id}",
                          headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.data) == (200, PDF)


@pytest.mark.parametrize("action", ACTIONS)
def test_another_localitys_obstacle_is_404_for_every_action(api, db, make_ticket, commune_officer, sibling, action):
    ticket = make_ticket(commune_officer)
    response = api(sibling, f"/tickets/{ticket.reference}/{action}",
                   json={"body": "x", "reason": "x", "score": 3, "main": ticket.reference, "other": ticket.reference,
                         "outcome": "answered", "agency": "Bộ Tài chính", "note": "x"})
    assert response.status_code == 404
    assert fresh(db, ticket).version == ticket.version


@pytest.mark.parametrize("action", VERSIONED)
def test_a_version_that_is_not_a_number_is_422_for_every_action(api, db, make_ticket, commune_officer, triage_user,
                                                                 action):
    ticket = make_ticket(commune_officer)
    response = api(triage_user, f"/tickets/{ticket.reference}/{action}", json={"version": "abc"})
    assert response.status_code == 422
    assert error_of(response, "version")
    assert fresh(db, ticket).version == ticket.version


def test_a_retried_answer_with_the_same_idempotency_key_answers_once(api, db, make_ticket, commune_officer, assign,
                                                                    specialist):
    ticket = assign(make_ticket(commune_officer))
    key = {"Idempotency-Key": "7d1f0c1e-answer"}
    first = api(specialist, f"/tickets/{ticket.reference}/answer", json={"body": "Trả lời.", "outcome": "answered"},
                headers=key)
    again = api(specialist, f"/tickets/{ticket.reference}/answer", json={"body": "Trả lời.", "outcome": "answered"},
                headers=key)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.get_json() == first.get_json()
    assert db.session.scalar(select(func.count(Message.id)).where(Message.kind == "answer")) == 1


@pytest.mark.parametrize("other, message", [("", "bắt buộc"), ("x" * 31, "quá dài"), (["PUN"], "văn bản"),
                                            ("PUN-2026-999999", "Không có"), ("self", "chính nó")])
def test_bad_links_are_422(api, db, make_ticket, commune_officer, triage_user, other, message):
    ticket = make_ticket(commune_officer)
    other = ticket.reference if other == "self" else other
    response = api(triage_user, f"/tickets/{ticket.reference}/links", json={"other": other})
    assert response.status_code == 422
    assert message in error_of(response, "other")
    assert count(db, TicketLink) == 0


@pytest.mark.parametrize("payload, message", [({}, "bắt buộc"), ({"body": ""}, "bắt buộc"),
                                              ({"body": "x" * 20_001}, "quá dài"), ({"body": None}, "văn bản")])
def test_bad_replies_are_422(api, db, make_ticket, commune_officer, payload, message):
    ticket = make_ticket(commune_officer)
    response = api(commune_officer, f"/tickets/{ticket.reference}/reply", json=payload)
    assert response.status_code == 422
    assert message in error_of(response, "body")
    assert count(db, Message) == 0


def test_a_link_to_an_obstacle_the_caller_may_not_see_reads_as_missing(api, db, make_ticket, commune_officer,
                                                                       sibling, triage_user):
    """Triage sees everything; a locality that may not link learns nothing about another's obstacle either."""
    own, foreign = make_ticket(commune_officer), make_ticket(sibling)
    refused = api(commune_officer, f"/tickets/{own.reference}/links", json={"other": foreign.reference})
    missing = api(commune_officer, f"/tickets/{own.reference}/links", json={"other": "PUN-2026-999999"})
    assert refused.status_code == missing.status_code == 422
    assert refused.get_json() == missing.get_json()


def test_the_document_lists_every_action_with_its_bodies(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for action in ACTIONS:
        operation = paths[f"/api/v1/tickets/{{reference}}/{action}"]["post"]
        assert "application/json" in operation["requestBody"]["content"]
        assert {"200", "404", "409", "412", "422"} <= set(operation["responses"])
        assert "If-Match" in [p.get("name") for p in operation.get("parameters", [])]
    for action in ("ask", "reply", "messages", "answer"):
        upload = paths[f"/api/v1/tickets/{{reference}}/{action}"]["post"]["requestBody"]["content"]
        assert "multipart/form-data" in upload
    assert "multipart/form-data" in paths["/api/v1/tickets"]["post"]["requestBody"]["content"]
    assert "post" in paths["/api/v1/triage/bulk"]
    assert "get" in paths["/api/v1/tickets/{reference}/attachments/{attachment_id}"]
