"""The triage slice: queue, routing and assignment, replies, internal notes, history."""
from sqlalchemy import select

from tracker.enums import Role, Status
from tracker.models import Event, Message, Unit


def triage_data(ticket, unit, person=None, **overrides):
    return {"version": ticket.version, "category": ticket.category.code, "urgency": "khan",
            "lead_unit": unit.code, "assignee": str(person.id) if person else "", **overrides}


def test_queue_lists_new_tickets_oldest_first(client, login, triage_user, commune_officer, make_ticket):
    first = make_ticket(commune_officer, title="Cũ nhất")
    second = make_ticket(commune_officer, title="Mới hơn")
    login(triage_user)
    page = client.get("/triage").get_data(as_text=True)
    assert page.index(first.reference) < page.index(second.reference)


def test_queue_is_paginated(client, login, triage_user, commune_officer, make_ticket, app):
    for i in range(app.config["PAGE_SIZE"] + 2):
        make_ticket(commune_officer, title=f"Vé {i}")
    login(triage_user)
    first_page = client.get("/triage").get_data(as_text=True)
    second_page = client.get("/triage?page=2").get_data(as_text=True)
    assert first_page.count("/tickets/PUN-") == app.config["PAGE_SIZE"]
    assert second_page.count("/tickets/PUN-") == 2


def test_localities_and_specialists_cannot_open_the_queue(client, login, commune_officer, specialist):
    for user in (commune_officer, specialist):
        login(user)
        assert client.get("/triage").status_code == 404


def test_triage_routes_and_assigns_with_history(client, login, triage_user, specialist, commune_officer,
                                                make_ticket, unit, db):
    ticket = make_ticket(commune_officer)
    login(triage_user)
    response = client.post(f"/triage/{ticket.reference}", data=triage_data(ticket, unit, specialist))
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert (ticket.status, ticket.urgency, ticket.lead_unit_id, ticket.assignee_id) == (
        Status.ASSIGNED, "khan", unit.id, specialist.id)
    assert ticket.first_responded_at is not None
    changes = {(e.field, e.new_value) for e in db.session.scalars(select(Event).where(Event.ticket_id == ticket.id))}
    assert ("lead_unit", unit.code) in changes and ("status", "assigned") in changes
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Lịch sử xử lý" in page and "đã chuyển trạng thái" in page
    assert client.get("/triage").get_data(as_text=True).count(ticket.reference) == 0


def test_triage_refuses_bad_values_and_changes_nothing(client, login, triage_user, specialist, commune_officer,
                                                       make_ticket, unit, db, make_user):
    ticket = make_ticket(commune_officer)
    other_unit = db.session.scalar(select(Unit).where(Unit.code == "bo_tai_chinh"))
    inactive = make_user(Role.SPECIALIST, unit=unit, active=False)
    login(triage_user)
    cases = [
        ({"urgency": "rat_gap"}, "Chọn mức độ khẩn trong danh sách"),
        ({"urgency": ""}, "Trường này là bắt buộc"),
        ({"category": "khong_co"}, "Chọn một giá trị trong danh sách"),
        ({"lead_unit": "khong_co"}, "Chọn một giá trị trong danh sách"),
        ({"assignee": "999999"}, "chuyên viên đang hoạt động của đơn vị chủ trì"),
        ({"assignee": "abc"}, "chuyên viên đang hoạt động của đơn vị chủ trì"),
        ({"assignee": str(inactive.id)}, "chuyên viên đang hoạt động của đơn vị chủ trì"),
        ({"lead_unit": other_unit.code}, "chuyên viên đang hoạt động của đơn vị chủ trì"),
        ({"assignee": str(commune_officer.id)}, "chuyên viên đang hoạt động của đơn vị chủ trì"),
        ({"version": "0"}, "Người khác đã thay đổi kiến nghị này"),
    ]
    for override, message in cases:
        response = client.post(f"/triage/{ticket.reference}", data=triage_data(ticket, unit, specialist, **override))
        assert response.status_code == 422, override
        assert message in response.get_data(as_text=True), override
    db.session.refresh(ticket)
    assert (ticket.status, ticket.lead_unit_id, ticket.assignee_id, ticket.version) == (Status.NEW, None, None, 1)


def test_stale_triage_form_does_not_overwrite_a_newer_change(client, login, triage_user, specialist,
                                                             commune_officer, make_ticket, unit, db):
    ticket = make_ticket(commune_officer)
    stale = triage_data(ticket, unit, specialist)
    login(triage_user)
    assert client.post(f"/triage/{ticket.reference}", data={**stale, "urgency": "hoa_toc"}).status_code == 302
    response = client.post(f"/triage/{ticket.reference}", data={**stale, "urgency": "thuong"})
    assert response.status_code == 422
    db.session.refresh(ticket)
    assert ticket.urgency == "hoa_toc"


def test_specialist_replies_and_locality_reads_and_answers_back(client, login, triage_user, specialist,
                                                                commune_officer, make_ticket, unit, db):
    ticket = make_ticket(commune_officer)
    login(triage_user)
    client.post(f"/triage/{ticket.reference}", data=triage_data(ticket, unit, specialist))

    login(specialist)
    client.post(f"/tickets/{ticket.reference}/messages", data={"body": "Trả lời: áp dụng Nghị định 150."})
    client.post(f"/tickets/{ticket.reference}/messages", data={"body": "Ghi chú: cần hỏi Vụ Pháp chế",
                                                               "internal": "y"})
    db.session.refresh(ticket)
    assert ticket.status == Status.IN_PROGRESS

    login(commune_officer)
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Trả lời: áp dụng Nghị định 150." in page
    assert "Ghi chú: cần hỏi Vụ Pháp chế" not in page
    assert "đã thêm ghi chú nội bộ" not in page
    response = client.post(f"/tickets/{ticket.reference}/messages", data={"body": "Cảm ơn, đã rõ.", "internal": "y"})
    assert response.status_code == 302
    kinds = db.session.scalars(select(Message.kind).where(Message.ticket_id == ticket.id)
                               .order_by(Message.id)).all()
    assert kinds == ["reply", "note", "reply"]  # the locality's "internal" flag is ignored


def test_empty_or_oversized_reply_is_refused(client, login, commune_officer, make_ticket, db):
    ticket = make_ticket(commune_officer)
    login(commune_officer)
    for body, message in (("", "Trường này là bắt buộc"), ("x" * 20_001, "Tối đa 20000 ký tự")):
        response = client.post(f"/tickets/{ticket.reference}/messages", data={"body": body})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalars(select(Message)).all() == []


def test_specialist_of_another_unit_cannot_reply(client, login, make_user, commune_officer, make_ticket, db):
    other = make_user(Role.SPECIALIST, unit=db.session.scalar(select(Unit).where(Unit.code == "bo_tai_chinh")))
    ticket = make_ticket(commune_officer)
    login(other)
    response = client.post(f"/tickets/{ticket.reference}/messages", data={"body": "Không phải việc của tôi"})
    assert response.status_code == 422
    assert db.session.scalars(select(Message)).all() == []


def test_specialist_starts_work(client, login, triage_user, specialist, commune_officer, make_ticket, unit, db):
    ticket = make_ticket(commune_officer)
    login(triage_user)
    client.post(f"/triage/{ticket.reference}", data=triage_data(ticket, unit, specialist))
    db.session.refresh(ticket)
    login(specialist)
    client.post(f"/tickets/{ticket.reference}/start", data={"version": ticket.version})
    db.session.refresh(ticket)
    assert ticket.status == Status.IN_PROGRESS


def test_ticket_page_query_count_does_not_grow_with_messages(client, login, commune_officer, make_ticket,
                                                             page_queries):
    ticket = make_ticket(commune_officer)
    login(commune_officer)

    url = f"/tickets/{ticket.reference}"
    client.post(url + "/messages", data={"body": "Tin đầu"})  # one message: its attachments get loaded too
    few = page_queries(url)
    for i in range(15):
        client.post(url + "/messages", data={"body": f"Tin {i}"})
    assert page_queries(url) == few


def test_list_query_count_does_not_grow_with_rows(login, triage_user, commune_officer, make_ticket, page_queries):
    login(triage_user)

    make_ticket(commune_officer)
    for url in ("/tickets", "/triage"):
        page_queries(url)  # per-process caches filled (the user's saved views)
    make_ticket(commune_officer)
    few = {url: page_queries(url) for url in ("/tickets", "/triage")}
    for _ in range(12):
        make_ticket(commune_officer)
    assert {url: page_queries(url) for url in few} == few


def test_actions_without_csrf_token_change_nothing(csrf_client, csrf_login, triage_user, commune_officer,
                                                   make_ticket, unit, db):
    ticket = make_ticket(commune_officer)
    csrf_login(triage_user)
    for url, data in ((f"/triage/{ticket.reference}", triage_data(ticket, unit)),
                      (f"/tickets/{ticket.reference}/messages", {"body": "Không có mã"}),
                      (f"/tickets/{ticket.reference}/start", {"version": ticket.version}),
                      ("/logout", {}), ("/lang/en", {})):
        assert csrf_client.post(url, data=data).status_code == 400, url
    db.session.refresh(ticket)
    assert (ticket.status, ticket.lead_unit_id, ticket.version) == (Status.NEW, None, 1)
    assert db.session.scalars(select(Message)).all() == []
    db.session.refresh(triage_user)
    assert triage_user.locale == "vi"
