"""Systemic issues: triage links many localities' obstacles to one issue and answers once; each obstacle keeps
its own history, email, confirm and rating; a locality sees the answer and how many asked, nothing else."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tracker.enums import MessageKind, Role, Status
from tracker.models import Event, Message, OutboxMessage, SystemicIssue, Ticket, Unit
from tracker.systemic import Routing, answer_issue, create_issue, link_ticket, route_issue
from tracker.workflow import ask_locality, confirm_answer, rate

from .conftest import counting_queries

TITLE = "Vướng mắc xác định biên chế công chức cấp xã sau sắp xếp"


@pytest.fixture
def officers(commune_officer, make_user, ba_dinh, ben_thanh):
    """One officer in each of three communes (two provinces)."""
    return commune_officer, make_user(Role.COMMUNE, ba_dinh, name="Cán bộ Ba Đình"), \
        make_user(Role.COMMUNE, ben_thanh, name="Cán bộ Bến Thành")


@pytest.fixture
def same_three(officers, make_ticket):
    """Three communes file the same obstacle."""
    return [make_ticket(o, title=f"{TITLE} ({o.locality.name})", description="Đề nghị hướng dẫn.") for o in officers]


@pytest.fixture
def issue(triage_user, same_three, db):
    made = create_issue(triage_user, title="Biên chế cấp xã", tickets=same_three)
    db.session.commit()
    return made


def reload(db, *rows):
    for row in rows:
        db.session.refresh(row)


def test_an_issue_links_the_obstacles_with_a_yearly_code_and_counts_the_localities(triage_user, issue, same_three, db):
    year = dt.datetime.now(dt.UTC).year
    assert issue.code in (f"VDC-{year}-0001", f"VDC-{year + 1}-0001")
    assert (issue.ticket_count, issue.reporter_count) == (3, 3)
    reload(db, *same_three)
    assert {t.systemic_issue_id for t in same_three} == {issue.id}
    linked = db.session.scalars(select(Event.ticket_id).where(Event.kind == "systemic_linked")).all()
    assert sorted(linked) == sorted(t.id for t in same_three)


def test_codes_follow_a_per_year_sequence(triage_user, commune_officer, make_ticket, db):
    now = dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC)
    codes = [create_issue(triage_user, title=f"Vấn đề {n}", tickets=[make_ticket(commune_officer)], now=now).code
             for n in range(2)]
    later = create_issue(triage_user, title="Năm sau", tickets=[make_ticket(commune_officer)],
                         now=dt.datetime(2027, 1, 5, 3, tzinfo=dt.UTC)).code
    assert [*codes, later] == ["VDC-2026-0001", "VDC-2026-0002", "VDC-2027-0001"]


@pytest.mark.parametrize("case,field,message", [
    ("already", "references", "đã thuộc vấn đề chung VDC-"),
    ("closed", "references", "đã kết thúc: chỉ gắn được kiến nghị đang xử lý"),
    ("unknown", "references", "Không có kiến nghị nào mang mã này."),
    ("empty_title", "title", "Trường này là bắt buộc."),
    ("long_title", "title", "Tối đa 300 ký tự."),
    ("nothing", "references", "Chọn ít nhất một kiến nghị."),
])
def test_bad_input_when_creating_gets_a_clear_message_and_changes_nothing(client, login, triage_user, issue,
                                                                         same_three, commune_officer, make_ticket, db,
                                                                         case, field, message):
    fresh = make_ticket(commune_officer, title="Kiến nghị khác")
    closed = make_ticket(commune_officer, title="Đã chuyển")
    closed.status = Status.TRANSFERRED.value
    db.session.commit()
    data = {"title": "Vấn đề mới", "references": fresh.reference}
    if case == "already":
        data["references"] += f"\n{same_three[0].reference}"
    elif case == "closed":
        data["references"] += f", {closed.reference}"
    elif case == "unknown":
        data["references"] += " PUN-1999-000001"
    elif case == "empty_title":
        data["title"] = " "
    elif case == "long_title":
        data["title"] = "x" * 301
    elif case == "nothing":
        data["references"] = "không có mã nào"
    login(triage_user)
    response = client.post("/systemic", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SystemicIssue.id))) == 1
    db.session.refresh(fresh)
    assert fresh.systemic_issue_id is None


def test_localities_and_specialists_cannot_create_issues(client, login, commune_officer, specialist, same_three):
    for user in (commune_officer, specialist):
        login(user)
        assert client.post("/systemic", data={"title": "x", "tickets": same_three[0].reference}).status_code == 404


def test_triage_creates_an_issue_from_a_queue_selection(client, login, triage_user, same_three, db):
    login(triage_user)
    response = client.post("/systemic", data={"title": "Từ hàng chờ", "tickets": [t.reference for t in same_three[:2]]})
    assert response.status_code == 302
    made = db.session.scalar(select(SystemicIssue))
    assert made.title == "Từ hàng chờ" and made.ticket_count == 2
    assert "systemic-from-selection" in client.get("/triage").get_data(as_text=True)


def test_routing_the_issue_routes_its_obstacles_without_an_email_per_obstacle(triage_user, issue, same_three, unit,
                                                                           specialist, db):
    category, due = same_three[0].category, dt.date.today() + dt.timedelta(days=60)
    routed = route_issue(triage_user, issue, Routing("Biên chế cấp xã", category, unit, specialist, due),
                         version=issue.version)
    db.session.commit()
    assert routed == 3
    reload(db, *same_three)
    assert {(t.status, t.lead_unit_id, t.assignee_id) for t in same_three} == {
        (Status.ASSIGNED.value, unit.id, specialist.id)}
    assert {t.explicit_due_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date() for t in same_three} == {due}
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_answering_once_answers_every_open_obstacle_with_its_own_history_and_email(
        triage_user, issue, same_three, unit, specialist, db):
    route_issue(triage_user, issue, Routing(issue.title, same_three[0].category, unit, None, None),
                version=issue.version)
    ask_locality(triage_user, same_three[2], version=same_three[2].version, body="Xin bổ sung số liệu")
    db.session.commit()
    answered = answer_issue(specialist, issue, version=issue.version, body="Thực hiện theo Nghị định 150.",
                            outcome="answered", reply_doc_number="123/BNV-TCBC")
    db.session.commit()
    assert answered == 3
    reload(db, *same_three)
    for ticket in same_three:
        assert (ticket.status, ticket.outcome, ticket.reply_doc_number) == ("answered", "answered", "123/BNV-TCBC")
        answer = db.session.scalar(select(Message).where(Message.ticket_id == ticket.id,
                                                         Message.kind == MessageKind.ANSWER.value))
        assert answer.body == "Thực hiện theo Nghị định 150." and answer.author_id == specialist.id
        kinds = db.session.scalars(select(Event.kind).where(Event.ticket_id == ticket.id)).all()
        assert "answer" in kinds and "systemic_answer" in kinds
    emails = db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.key.startswith("answer:"))).all()
    assert sorted(emails) == sorted(t.created_by.email for t in same_three)  # exactly one per locality officer


def test_an_issue_answer_skips_obstacles_already_answered_or_finished(triage_user, issue, same_three, unit,
                                                                     specialist, db):
    from tracker.workflow import answer

    route_issue(triage_user, issue, Routing(issue.title, same_three[0].category, unit, None, None),
                version=issue.version)
    answer(specialist, same_three[0], version=same_three[0].version, body="Trả lời riêng", outcome="forwarded")
    db.session.commit()
    assert answer_issue(triage_user, issue, version=issue.version, body="Trả lời chung", outcome="answered") == 2
    db.session.commit()
    db.session.refresh(same_three[0])
    assert same_three[0].outcome == "forwarded"


def test_an_obstacle_linked_after_the_answer_is_answered_at_once(triage_user, issue, same_three, unit, make_user,
                                                                hcm, make_ticket, db):
    route_issue(triage_user, issue, Routing(issue.title, same_three[0].category, unit, None, None),
                version=issue.version)
    answer_issue(triage_user, issue, version=issue.version, body="Trả lời chung", outcome="needs_legal_change")
    db.session.commit()
    late = make_ticket(make_user(Role.PROVINCE, hcm), title="Tỉnh cũng hỏi")
    link_ticket(triage_user, issue, late)
    db.session.commit()
    db.session.refresh(late)
    assert (late.status, late.outcome, late.lead_unit_id) == ("answered", "needs_legal_change", unit.id)
    assert issue.reporter_count == 4
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.key.startswith("answer:"))) == 4


def test_answering_needs_the_lead_unit_and_a_valid_answer(client, login, triage_user, issue, db):
    login(triage_user)
    page = client.post(f"/systemic/{issue.code}/answer", data={"body": "Trả lời", "outcome": "answered",
                                                              "version": issue.version})
    assert page.status_code == 422 and "Hãy chọn đơn vị chủ trì của vấn đề chung" in page.get_data(as_text=True)
    page = client.post(f"/systemic/{issue.code}/answer", data={"body": "Trả lời", "outcome": "bogus",
                                                              "version": issue.version})
    assert page.status_code == 422 and "Chọn kết quả trong danh sách." in page.get_data(as_text=True)
    db.session.refresh(issue)
    assert not issue.is_answered


def test_each_locality_reads_the_answer_and_how_many_asked_never_another_locality(client, login, officers, issue,
                                                                                  same_three, triage_user, unit, db):
    route_issue(triage_user, issue, Routing(issue.title, same_three[0].category, unit, None, None),
                version=issue.version)
    answer_issue(triage_user, issue, version=issue.version, body="Câu trả lời chung <b>đậm</b>", outcome="answered")
    db.session.commit()
    ours, others = same_three[0], same_three[1:]
    login(officers[0])
    for url in (f"/systemic/{issue.code}", f"/tickets/{ours.reference}", "/systemic"):
        html = client.get(url).get_data(as_text=True)
        assert issue.code in html
        assert not any(t.reference in html or t.locality.name in html for t in others), url
    html = client.get(f"/systemic/{issue.code}").get_data(as_text=True)
    assert "3 địa phương đã kiến nghị nội dung này." in html and "&lt;b&gt;đậm&lt;/b&gt;" in html
    assert client.get(f"/tickets/{others[0].reference}").status_code == 404


def test_a_locality_without_a_linked_obstacle_cannot_open_the_issue(client, login, make_user, make_locality, issue):
    login(make_user(Role.PROVINCE, make_locality("48", "Thành phố Đà Nẵng")))
    assert client.get(f"/systemic/{issue.code}").status_code == 404
    assert issue.code not in client.get("/systemic").get_data(as_text=True)


def test_each_locality_keeps_its_own_confirm_and_rating(officers, issue, same_three, triage_user, unit, db):
    route_issue(triage_user, issue, Routing(issue.title, same_three[0].category, unit, None, None),
                version=issue.version)
    answer_issue(triage_user, issue, version=issue.version, body="Trả lời", outcome="answered")
    db.session.commit()
    first, second, _third = same_three
    confirm_answer(officers[0], first, version=first.version)
    rate(officers[1], second, version=second.version, score=2, comment="Chưa rõ")
    db.session.commit()
    reload(db, *same_three)
    assert [(t.status, t.rating) for t in same_three] == [("closed", None), ("answered", 2), ("answered", None)]


def test_lists_show_an_issue_once_with_its_localities_and_the_api_each_obstacle(client, login, triage_user, issue,
                                                                               same_three, commune_officer,
                                                                               make_ticket, db):
    from tracker.accounts import issue_token

    alone = make_ticket(commune_officer, title="Kiến nghị riêng")
    login(triage_user)
    html = client.get("/tickets").get_data(as_text=True)
    shown = [t.reference for t in [*same_three, alone] if f">{t.reference}<" in html]
    assert shown == [same_three[0].reference, alone.reference] or shown == [alone.reference, same_three[0].reference]
    assert f"{issue.code} · 3 địa phương" in html
    token = issue_token(triage_user)
    db.session.commit()
    items = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).json["items"]
    assert sorted((i["reference"], i["systemic_issue"]) for i in items) == sorted(
        [(t.reference, issue.code) for t in same_three] + [(alone.reference, None)])


def test_unlinking_recounts_and_the_obstacle_keeps_what_it_received(client, login, triage_user, issue, same_three,
                                                                   officers, db):
    login(triage_user)
    assert client.post(f"/systemic/{issue.code}/unlink", data={"reference": same_three[2].reference}).status_code == 302
    reload(db, issue, same_three[2])
    assert (issue.ticket_count, issue.reporter_count, same_three[2].systemic_issue_id) == (2, 2, None)
    login(officers[2])
    assert client.get(f"/systemic/{issue.code}").status_code == 404


def test_linking_from_the_issue_page_refuses_bad_references(client, login, triage_user, issue, same_three, db):
    login(triage_user)
    for reference, message in ((same_three[0].reference, "đã thuộc vấn đề chung này"),
                               ("PUN-2000-000001", "Không có kiến nghị nào mang mã này."), ("", "bắt buộc")):
        response = client.post(f"/systemic/{issue.code}/tickets", data={"reference": reference})
        assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_the_issue_list_query_count_does_not_grow_with_its_rows(page_queries, login, triage_user, commune_officer,
                                                               make_ticket, db):
    login(triage_user)
    create_issue(triage_user, title="Một", tickets=[make_ticket(commune_officer)])
    db.session.commit()
    one = page_queries("/systemic")
    for n in range(5):
        create_issue(triage_user, title=f"Thêm {n}", tickets=[make_ticket(commune_officer)],
                     now=dt.datetime.now(dt.UTC))
    db.session.commit()
    assert page_queries("/systemic") == one


def test_the_route_form_refuses_a_past_deadline_and_a_foreign_assignee(client, login, triage_user, issue, make_user,
                                                                      db):
    other = make_user(Role.SPECIALIST, unit=db.session.scalar(select(Unit).where(Unit.code == "bo_tai_chinh")))
    login(triage_user)
    base = {"title": issue.title, "category": "bien_che", "lead_unit": "moha_tcbc", "version": issue.version}
    response = client.post(f"/systemic/{issue.code}/route", data={**base, "due_on": "01/01/2020"})
    assert response.status_code == 422 and "Hạn xử lý không được ở trong quá khứ." in response.get_data(as_text=True)
    response = client.post(f"/systemic/{issue.code}/route", data={**base, "assignee": str(other.id)})
    assert response.status_code == 422 and "chuyên viên đang hoạt động của đơn vị chủ trì" in response.get_data(
        as_text=True)
    db.session.refresh(issue)
    assert issue.lead_unit_id is None


def test_answering_many_obstacles_costs_a_bounded_number_of_statements_each(triage_user, commune_officer,
                                                                           make_ticket, unit, db):
    """The speed target (500 obstacles under 5 s) is measured by make bench; here: no statement per pair."""
    tickets = [make_ticket(commune_officer, title=f"Cùng nội dung {n}") for n in range(6)]
    made = create_issue(triage_user, title="Nhiều", tickets=tickets)
    route_issue(triage_user, made, Routing(made.title, tickets[0].category, unit, None, None), version=made.version)
    db.session.commit()
    with counting_queries() as statements:
        assert answer_issue(triage_user, made, version=made.version, body="Một lần", outcome="answered") == 6
    per_ticket = len(statements) / 6
    assert per_ticket < 30
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 6
    assert db.session.scalar(select(func.count(Ticket.id)).where(Ticket.status == "answered")) == 6


PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_the_reply_document_reaches_every_obstacle_stored_once(client, login, officers, issue, same_three, triage_user,
                                                              unit, make_user, make_locality, make_ticket, app, db):
    import io
    import os

    from tracker.attachments import path_of
    from tracker.models import Attachment

    route_issue(triage_user, issue, Routing(issue.title, same_three[0].category, unit, None, None),
                version=issue.version)
    db.session.commit()
    login(triage_user)
    bad = client.post(f"/systemic/{issue.code}/answer", content_type="multipart/form-data", data={
        "body": "Trả lời", "outcome": "answered", "version": issue.version,
        "attachments": (io.BytesIO(b"<html>x</html>"), "giả.pdf")})
    assert bad.status_code == 422 and "không phải là tệp PDF, Word" in bad.get_data(as_text=True)
    db.session.refresh(issue)
    assert not issue.is_answered
    response = client.post(f"/systemic/{issue.code}/answer", content_type="multipart/form-data", data={
        "body": "Trả lời kèm công văn", "outcome": "answered", "version": issue.version,
        "reply_doc_number": "99/BNV", "attachments": (io.BytesIO(PDF), "Công văn 99.pdf")})
    assert response.status_code == 302
    late = make_ticket(make_user(Role.PROVINCE, make_locality("48", "Thành phố Đà Nẵng")), title="Đà Nẵng cũng hỏi")
    link_ticket(triage_user, issue, late)
    db.session.commit()
    rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert sorted(r.ticket_id for r in rows) == sorted([*(t.id for t in same_three), late.id])
    assert len({os.stat(path_of(r)).st_ino for r in rows}) == 1  # one file on disk, linked for each obstacle
    for officer, ticket in zip(officers, same_three, strict=True):
        login(officer)
        row = next(r for r in rows if r.ticket_id == ticket.id)
        download = client.get(f"/tickets/{ticket.reference}/attachments/{row.id}")
        assert download.status_code == 200 and download.data == PDF
        other = next(r for r in rows if r.ticket_id != ticket.id)
        assert client.get(f"/tickets/{ticket.reference}/attachments/{other.id}").status_code == 404
