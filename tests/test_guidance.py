"""Published guidance: an answered obstacle or systemic issue, anonymised, public without login, searchable,
updated or withdrawn; and before filing, the similar guidance and answered obstacles the officer may see."""
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from tracker.enums import Role, Status
from tracker.guidance import draft_from_ticket, publish
from tracker.models import Guidance
from tracker.systemic import Routing, answer_issue, create_issue, route_issue
from tracker.workflow import answer

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def answered(commune_officer, make_ticket, specialist, unit, db):
    """Hoàn Kiếm asked (naming itself, its officer and a phone number); the ministry answered."""
    ticket = make_ticket(commune_officer, title="Phường Hoàn Kiếm hỏi về con dấu",
                         description="UBND phường Hoàn Kiếm (Cán bộ Hoàn Kiếm, 0912 345 678) chưa có con dấu mới.")
    ticket.lead_unit, ticket.status = unit, Status.IN_PROGRESS.value
    db.session.flush()
    answer(specialist, ticket, version=ticket.version, body="Dùng con dấu theo Nghị định 99/2016/NĐ-CP.",
           outcome="answered", reply_doc_number="45/BNV-VTLT")
    db.session.commit()
    return ticket


def test_the_draft_replaces_localities_officers_and_phone_numbers(triage_user, answered):
    draft = draft_from_ticket(answered)
    assert draft.title == "[địa phương] hỏi về con dấu"
    assert draft.question == "UBND [địa phương] ([cán bộ], [số điện thoại]) chưa có con dấu mới."
    assert draft.answer == "Dùng con dấu theo Nghị định 99/2016/NĐ-CP." and draft.reply_doc_number == "45/BNV-VTLT"


def test_publishing_from_an_answered_obstacle_makes_it_public(client, login, triage_user, answered, db):
    login(triage_user)
    form = client.get(f"/guidance/new?ticket={answered.reference}").get_data(as_text=True)
    assert "[địa phương] hỏi về con dấu" in form and "Hoàn Kiếm" not in form.split("<form", 1)[1]
    response = client.post(f"/guidance/new?ticket={answered.reference}", data={
        "title": "Con dấu của xã, phường mới", "question": "Phường chưa có con dấu mới.",
        "answer": "Dùng con dấu theo Nghị định 99.", "category": "con_dau_luu_tru", "reply_doc_number": "45/BNV"})
    assert response.status_code == 302
    item = db.session.scalar(select(Guidance))
    client.post("/logout")
    page = client.get(f"/guidance/{item.id}")  # no login
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Dùng con dấu theo Nghị định 99." in html and answered.reference not in html
    listing = client.get("/guidance?q=con+dau&category=con_dau_luu_tru").get_data(as_text=True)
    assert "Con dấu của xã, phường mới" in listing
    assert "Con dấu của xã" not in client.get("/guidance?q=con+dau&category=dat_dai").get_data(as_text=True)
    assert "Con dấu của xã" not in client.get("/guidance?q=dat+dai").get_data(as_text=True)


@pytest.mark.parametrize("change,field,message", [
    ({"question": "UBND phường Hoan Kiem hỏi."}, "question", "Nội dung vẫn còn nêu “Phường Hoàn Kiếm”"),
    ({"answer": "Liên hệ lan@hoankiem.gov.vn"}, "question", "lan@hoankiem.gov.vn"),
    ({"title": ""}, "title", "Trường này là bắt buộc."),
    ({"answer": "x" * 20_001}, "answer", "Tối đa 20000 ký tự."),
    ({"reply_doc_date": "31/02/2026"}, "reply_doc_date", "Nhập ngày hợp lệ (dd/mm/yyyy)."),
])
def test_bad_input_or_names_left_in_are_refused_and_nothing_is_published(client, login, triage_user, answered, db,
                                                                         change, field, message):
    login(triage_user)
    data = {"title": "Con dấu", "question": "Chưa có con dấu mới.", "answer": "Dùng con dấu mới.", **change}
    response = client.post(f"/guidance/new?ticket={answered.reference}", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Guidance.id))) == 0


def test_names_may_be_kept_on_purpose(client, login, triage_user, answered, db):
    login(triage_user)
    response = client.post(f"/guidance/new?ticket={answered.reference}", data={
        "title": "Kinh nghiệm của phường Hoàn Kiếm", "question": "Hỏi.", "answer": "Đáp.", "keep_names": "y"})
    assert response.status_code == 302 and db.session.scalar(select(Guidance.names_kept)) is True


def test_an_unanswered_obstacle_cannot_be_published(client, login, triage_user, commune_officer, make_ticket, db):
    fresh = make_ticket(commune_officer, title="Chưa trả lời")
    login(triage_user)
    warned = client.get(f"/guidance/new?ticket={fresh.reference}").get_data(as_text=True)
    assert "Chỉ kiến nghị đã được trả lời mới được công bố thành hướng dẫn." in warned
    response = client.post(f"/guidance/new?ticket={fresh.reference}",
                           data={"title": "T", "question": "Q", "answer": "A"})
    assert response.status_code == 422
    assert "Chỉ kiến nghị đã được trả lời mới được công bố thành hướng dẫn." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Guidance.id))) == 0


def test_only_triage_publishes_updates_and_withdraws(client, login, commune_officer, specialist, answered):
    for user in (commune_officer, specialist):
        login(user)
        assert client.get(f"/guidance/new?ticket={answered.reference}").status_code == 404


def test_markup_in_guidance_is_shown_escaped_everywhere(client, triage_user, answered, db):
    draft = draft_from_ticket(answered)
    draft.title, draft.answer = "<script>alert(1)</script> Con dấu", "<b>Đậm</b> & <i>nghiêng</i>"
    item = publish(triage_user, draft)
    db.session.commit()
    for url in (f"/guidance/{item.id}", "/guidance", "/guidance/feed.atom"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body, url
    assert "&lt;b&gt;Đậm&lt;/b&gt; &amp; &lt;i&gt;" in client.get(f"/guidance/{item.id}").get_data(as_text=True)


def test_the_atom_feed_lists_published_guidance_newest_first(client, triage_user, answered, db):
    first = publish(triage_user, draft_from_ticket(answered))
    second_draft = draft_from_ticket(answered)
    second_draft.title = "Hướng dẫn thứ hai"
    second = publish(triage_user, second_draft)
    db.session.commit()
    response = client.get("/guidance/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [second.title, first.title]
    assert entries[0].find(f"{ATOM}id").text.endswith(f"/guidance/{second.id}")
    assert feed.find(f"{ATOM}updated").text.endswith("Z")


def test_updated_and_withdrawn_guidance(client, login, triage_user, answered, db):
    item = publish(triage_user, draft_from_ticket(answered))
    db.session.commit()
    login(triage_user)
    response = client.post(f"/guidance/{item.id}/edit", data={
        "title": "Tiêu đề mới", "question": "Hỏi.", "answer": "Trả lời đã sửa."})
    assert response.status_code == 302
    assert client.post(f"/guidance/{item.id}/withdraw").status_code == 302
    assert "đã bị thu hồi" in client.get(f"/guidance/{item.id}").get_data(as_text=True)  # the team still sees it
    client.post("/logout")
    gone = client.get(f"/guidance/{item.id}")
    assert gone.status_code == 410 and "Hướng dẫn này đã được thu hồi." in gone.get_data(as_text=True)
    assert "Tiêu đề mới" not in client.get("/guidance").get_data(as_text=True)
    assert "Tiêu đề mới" not in client.get("/guidance/feed.atom").get_data(as_text=True)


def test_a_systemic_issue_answer_is_published_without_any_locality_name(client, login, triage_user, commune_officer,
                                                                         make_user, ba_dinh, make_ticket, unit, db):
    tickets = [make_ticket(commune_officer, title="Phường Hoàn Kiếm hỏi biên chế", description="Hoàn Kiếm cần."),
               make_ticket(make_user(Role.COMMUNE, ba_dinh), title="Ba Đình hỏi biên chế", description="Ba Đình.")]
    issue = create_issue(triage_user, title="Biên chế phường", tickets=tickets)
    route_issue(triage_user, issue, Routing(issue.title, tickets[0].category, unit, None, None), version=issue.version)
    answer_issue(triage_user, issue, version=issue.version, body="Theo Nghị định 150.", outcome="answered")
    db.session.commit()
    login(triage_user)
    form = client.get(f"/guidance/new?issue={issue.code}").get_data(as_text=True).split("<form", 1)[1]
    assert "Theo Nghị định 150." in form and "Hoàn Kiếm" not in form and "Ba Đình" not in form
    refused = client.post(f"/guidance/new?issue={issue.code}", data={
        "title": "Biên chế", "question": "Phường Ba Đình hỏi.", "answer": "Theo Nghị định 150."})
    assert refused.status_code == 422 and "Ba Đình" in refused.get_data(as_text=True)


def test_before_filing_the_officer_sees_similar_guidance_and_own_answered_obstacles(client, login, commune_officer,
                                                                                    triage_user, answered, make_user,
                                                                                    ba_dinh, make_ticket, db):
    item = publish(triage_user, draft_from_ticket(answered))
    other = make_ticket(make_user(Role.COMMUNE, ba_dinh), title="Con dấu mới của phường Ba Đình")
    other.status, other.answered_at = Status.ANSWERED.value, answered.answered_at
    db.session.commit()
    login(commune_officer)
    found = client.get("/search/similar", query_string={"title": "Con dấu mới", "description": "Chưa có con dấu"})
    assert [g["url"] for g in found.json["guidance"]] == [f"/guidance/{item.id}"]
    assert [t["reference"] for t in found.json["answered"]] == [answered.reference]  # never Ba Đình's
    assert client.get("/search/similar", query_string={"title": "x" * 5000}).json == {"guidance": [], "answered": []}
    html = client.get("/tickets/new").get_data(as_text=True)
    assert 'id="similar-box"' in html and "filing-suggestions.js" in html and "<script>" not in html
