"""The life of an obstacle after triage: ask, answer, confirm or reopen, rate, merge, link, transfer, auto-close."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tracker import workflow
from tracker.enums import TRANSITIONS, Role, Status
from tracker.errors import DomainError
from tracker.lifecycle import set_status
from tracker.models import Event, Message, Ticket, TicketLink, Unit
from tracker.tickets import triage_ticket


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
        workflow.answer(specialist, ticket, version=ticket.version, body="Áp dụng Nghị định 150.",
                        outcome="answered")
        db.session.commit()
        return ticket

    return do


def post(client, ticket, action, **data):
    return client.post(f"/tickets/{ticket.reference}/{action}", data={"version": ticket.version, **data})


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_transition_table_is_the_design_diagram():
    S = Status
    assert {
        S.NEW: {S.ASSIGNED, S.AWAITING_LOCALITY, S.DUPLICATE, S.TRANSFERRED},
        S.ASSIGNED: {S.IN_PROGRESS, S.AWAITING_LOCALITY, S.DUPLICATE, S.TRANSFERRED},
        S.IN_PROGRESS: {S.ANSWERED, S.AWAITING_LOCALITY, S.DUPLICATE, S.TRANSFERRED},
        S.AWAITING_LOCALITY: {S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.ANSWERED},
        S.ANSWERED: {S.CLOSED, S.IN_PROGRESS, S.AWAITING_LOCALITY},
        S.CLOSED: set(), S.DUPLICATE: set(), S.TRANSFERRED: set(),
    } == TRANSITIONS


def test_a_forbidden_transition_is_refused_with_a_clear_message(app, db, make_ticket, commune_officer):
    ticket = make_ticket(commune_officer)
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        with pytest.raises(DomainError) as refused:
            set_status(ticket, None, Status.ANSWERED, dt.datetime.now(dt.UTC))
        assert str(refused.value.message) == ("Kiến nghị đang ở trạng thái Mới tiếp nhận "
                                              "không thể chuyển sang Đã trả lời.")


def test_specialist_answers_with_outcome_and_reply_document(client, login, db, make_ticket, commune_officer,
                                                            assign, specialist):
    ticket = assign(make_ticket(commune_officer))
    login(specialist)
    response = post(client, ticket, "answer", body="Hướng dẫn: áp dụng Nghị định 150/2025/NĐ-CP.",
                    outcome="needs_legal_change", reply_doc_number="4168/BNV-CQDP", reply_doc_date="2025-06-12")
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert (ticket.status, ticket.outcome, ticket.reply_doc_number, ticket.reply_doc_date) == (
        Status.ANSWERED, "needs_legal_change", "4168/BNV-CQDP", dt.date(2025, 6, 12))
    assert ticket.answered_at is not None
    assert db.session.scalar(select(Message.kind).where(Message.ticket_id == ticket.id)) == "answer"
    login(commune_officer)
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Hướng dẫn: áp dụng Nghị định 150/2025/NĐ-CP." in page
    assert "Cần sửa đổi quy định pháp luật" in page and "4168/BNV-CQDP" in page
    assert "Xác nhận câu trả lời" in page


@pytest.mark.parametrize("override, message", [
    ({"body": ""}, "Trường này là bắt buộc"),
    ({"body": "x" * 20_001}, "Tối đa 20000 ký tự"),
    ({"outcome": ""}, "Trường này là bắt buộc"),
    ({"outcome": "da_xong"}, "Chọn kết quả trong danh sách"),
    ({"reply_doc_number": "x" * 101}, "Tối đa 100 ký tự"),
    ({"reply_doc_date": "31/02/2025"}, "Ghi ngày theo dạng dd/mm/yyyy"),
    ({"reply_doc_date": "2099-01-01"}, "Ngày văn bản không thể ở tương lai"),
    ({"version": "0"}, "Người khác đã thay đổi kiến nghị này"),
])
def test_bad_answers_are_refused_and_change_nothing(client, login, db, make_ticket, commune_officer, assign,
                                                    specialist, override, message):
    ticket = assign(make_ticket(commune_officer))
    version = ticket.version
    login(specialist)
    response = post(client, ticket, "answer", **{"body": "Trả lời", "outcome": "answered", **override})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert (ticket.status, ticket.outcome, ticket.version) == (Status.ASSIGNED, None, version)
    assert count(db, Message) == 0


def test_locality_confirms_the_answer_and_it_closes(client, login, db, answered, commune_officer):
    ticket = answered()
    login(commune_officer)
    assert post(client, ticket, "confirm").status_code == 302
    db.session.refresh(ticket)
    assert ticket.status == Status.CLOSED and ticket.closed_at is not None
    assert "confirmed" in db.session.scalars(select(Event.kind).where(Event.ticket_id == ticket.id)).all()


def test_locality_reopens_with_a_reason_and_work_resumes(client, login, db, answered, commune_officer):
    ticket = answered()
    login(commune_officer)
    response = post(client, ticket, "reopen", reason="Chưa rõ cách tính biên chế cho phường mới.")
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert ticket.status == Status.IN_PROGRESS
    assert db.session.scalar(select(Message.body).where(Message.ticket_id == ticket.id)
                             .order_by(Message.id.desc())) == "Chưa rõ cách tính biên chế cho phường mới."
    assert ("reopened", "Chưa rõ cách tính biên chế cho phường mới.") in db.session.execute(
        select(Event.kind, Event.new_value).where(Event.ticket_id == ticket.id)).all()


def test_reopen_needs_a_reason(client, login, db, answered, commune_officer):
    ticket = answered()
    login(commune_officer)
    response = post(client, ticket, "reopen", reason="  ")
    assert response.status_code == 422 and "Trường này là bắt buộc" in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.status == Status.ANSWERED


def test_locality_rates_the_answer(client, login, db, answered, commune_officer):
    ticket = answered()
    login(commune_officer)
    assert post(client, ticket, "rate", score="4", comment="Rõ ràng, kịp thời.").status_code == 302
    db.session.refresh(ticket)
    assert (ticket.rating, ticket.rating_comment) == (4, "Rõ ràng, kịp thời.")


@pytest.mark.parametrize("score, comment, message", [
    ("", "", "Trường này là bắt buộc"), ("6", "", "Chọn mức đánh giá từ 1 đến 5"),
    ("abc", "", "Chọn mức đánh giá từ 1 đến 5"), ("3", "x" * 2001, "Tối đa 2000 ký tự"),
])
def test_bad_ratings_are_refused(client, login, db, answered, commune_officer, score, comment, message):
    ticket = answered()
    login(commune_officer)
    response = post(client, ticket, "rate", score=score, comment=comment)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.rating is None


def test_asking_the_locality_pauses_and_its_reply_returns_to_the_paused_status(
        client, login, db, make_ticket, commune_officer, assign, specialist):
    ticket = assign(make_ticket(commune_officer))
    login(specialist)
    client.post(f"/tickets/{ticket.reference}/start", data={"version": ticket.version})
    db.session.refresh(ticket)
    assert post(client, ticket, "ask", body="Đề nghị gửi quyết định giao biên chế năm 2025.").status_code == 302
    db.session.refresh(ticket)
    assert (ticket.status, ticket.paused_status) == (Status.AWAITING_LOCALITY, Status.IN_PROGRESS)
    login(commune_officer)
    assert client.post(f"/tickets/{ticket.reference}/messages",
                       data={"body": "Xin gửi quyết định kèm theo."}).status_code == 302
    db.session.refresh(ticket)
    assert (ticket.status, ticket.paused_status) == (Status.IN_PROGRESS, None)


def test_triage_asks_the_locality_about_a_new_ticket_and_it_returns_to_new(
        client, login, db, make_ticket, commune_officer, triage_user):
    ticket = make_ticket(commune_officer)
    login(triage_user)
    assert post(client, ticket, "ask", body="Thiếu căn cứ pháp lý.").status_code == 302
    db.session.refresh(ticket)
    assert ticket.status == Status.AWAITING_LOCALITY and ticket.first_responded_at is not None
    login(commune_officer)
    client.post(f"/tickets/{ticket.reference}/messages", data={"body": "Nghị định 150/2025/NĐ-CP"})
    db.session.refresh(ticket)
    assert ticket.status == Status.NEW


def test_marking_a_duplicate_closes_it_and_its_locality_follows_the_main_one(
        client, login, db, make_ticket, commune_officer, make_user, ba_dinh, triage_user):
    other_officer = make_user(Role.COMMUNE, ba_dinh)
    main = make_ticket(other_officer, title="Vấn đề chung về biên chế")
    copy = make_ticket(commune_officer)
    login(triage_user)
    assert post(client, copy, "duplicate", main=main.reference.lower()).status_code == 302
    db.session.refresh(copy)
    assert (copy.status, copy.duplicate_of_id) == (Status.DUPLICATE, main.id)
    login(commune_officer)
    page = client.get(f"/tickets/{copy.reference}").get_data(as_text=True)
    assert main.reference in page
    main_page = client.get(f"/tickets/{main.reference}")
    assert main_page.status_code == 200 and "Vấn đề chung về biên chế" in main_page.get_data(as_text=True)
    # Following is reading: the other locality's obstacle cannot be answered back, confirmed or rated by it.
    response = client.post(f"/tickets/{main.reference}/messages", data={"body": "Chen vào"})
    assert response.status_code == 422 and "Bạn không được trả lời kiến nghị này" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Message.id))) == 0


@pytest.mark.parametrize("main_ref, message", [
    ("", "Trường này là bắt buộc"), ("PUN-1999-000001", "Không có kiến nghị nào mang mã này"),
    ("SELF", "Kiến nghị không thể trùng với chính nó"), ("x" * 21, "Tối đa 20 ký tự"),
])
def test_bad_duplicate_targets_are_refused(client, login, db, make_ticket, commune_officer, triage_user,
                                           main_ref, message):
    ticket = make_ticket(commune_officer)
    login(triage_user)
    response = post(client, ticket, "duplicate", main=ticket.reference if main_ref == "SELF" else main_ref)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert (ticket.status, ticket.duplicate_of_id) == (Status.NEW, None)


def test_cannot_merge_into_an_obstacle_that_is_itself_merged(db, app, make_ticket, commune_officer, triage_user):
    main, middle, last = (make_ticket(commune_officer) for _ in range(3))
    workflow.mark_duplicate(triage_user, middle, version=middle.version, main=main)
    db.session.commit()
    with pytest.raises(DomainError):
        workflow.mark_duplicate(triage_user, last, version=last.version, main=middle)


def test_linking_related_obstacles_both_ways_once(client, login, db, make_ticket, commune_officer, triage_user):
    first, second = make_ticket(commune_officer), make_ticket(commune_officer)
    login(triage_user)
    assert client.post(f"/tickets/{second.reference}/link", data={"other": first.reference}).status_code == 302
    again = client.post(f"/tickets/{first.reference}/link", data={"other": second.reference})
    assert again.status_code == 422 and "đã được liên kết" in again.get_data(as_text=True)
    assert count(db, TicketLink) == 1
    assert second.reference in client.get(f"/tickets/{first.reference}").get_data(as_text=True)


def test_transfer_closes_with_the_agency_and_a_note_the_locality_sees(client, login, db, make_ticket,
                                                                      commune_officer, triage_user):
    ticket = make_ticket(commune_officer)
    login(triage_user)
    response = post(client, ticket, "transfer", agency="Bộ Tài chính",
                    note="Nội dung thuộc thẩm quyền của Bộ Tài chính; đã chuyển theo Công văn 12/BNV.")
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert (ticket.status, ticket.transferred_to) == (Status.TRANSFERRED, "Bộ Tài chính")
    login(commune_officer)
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "đã chuyển theo Công văn 12/BNV" in page and "Bộ Tài chính" in page


@pytest.mark.parametrize("data, message", [
    ({"agency": "", "note": "Ghi chú"}, "Trường này là bắt buộc"),
    ({"agency": "x" * 201, "note": "Ghi chú"}, "Tối đa 200 ký tự"),
    ({"agency": "Bộ Tài chính", "note": ""}, "Trường này là bắt buộc"),
])
def test_bad_transfers_are_refused(client, login, db, make_ticket, commune_officer, triage_user, data, message):
    ticket = make_ticket(commune_officer)
    login(triage_user)
    response = post(client, ticket, "transfer", **data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.status == Status.NEW and count(db, Message) == 0


def test_a_closed_obstacle_cannot_be_transferred(client, login, db, answered, commune_officer, triage_user):
    ticket = answered()
    login(triage_user)
    response = post(client, ticket, "transfer", agency="Bộ Tài chính", note="Chuyển")
    assert response.status_code == 422 and "Bạn không thể thực hiện thao tác này" in response.get_data(as_text=True)


def test_unconfirmed_answer_closes_itself_after_seven_working_days_once(db, answered):
    ticket = answered()
    ticket.answered_at = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # Monday 09:00 in Hà Nội
    db.session.commit()
    assert workflow.close_unconfirmed_answers(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)) == 0
    db.session.commit()
    assert ticket.status == Status.ANSWERED
    later = dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC)
    assert workflow.close_unconfirmed_answers(later) == 1
    db.session.commit()
    assert workflow.close_unconfirmed_answers(later) == 0  # idempotent
    db.session.refresh(ticket)
    assert ticket.status == Status.CLOSED
    kinds = db.session.scalars(select(Event.kind).where(Event.ticket_id == ticket.id)).all()
    assert kinds.count("auto_closed") == 1


def test_auto_close_counts_working_days_of_the_configured_office_hours(app, db, answered, monkeypatch):
    """Mornings only (4 hours a day): still seven working days, not the 56 hours of an 8-hour calendar."""
    monkeypatch.setitem(app.config, "OFFICE_HOURS", "08:00-12:00")
    ticket = answered()
    ticket.answered_at = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # Monday 09:00 in Hà Nội
    db.session.commit()
    assert workflow.close_unconfirmed_answers(dt.datetime(2026, 3, 11, 1, 0, tzinfo=dt.UTC)) == 0  # Wed 08:00
    assert workflow.close_unconfirmed_answers(dt.datetime(2026, 3, 11, 2, 0, tzinfo=dt.UTC)) == 1  # Wed 09:00


def test_auto_close_is_a_scheduled_job():
    from tracker.jobs import job_list

    assert "close_unconfirmed_answers" in {job.name for job in job_list()}


def test_stale_form_shows_what_changed_meanwhile_and_keeps_the_input(client, login, db, make_ticket,
                                                                     commune_officer, triage_user):
    ticket = make_ticket(commune_officer)
    stale_version = ticket.version
    login(triage_user)
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    seen = page.split('name="seen_event" value="')[1].split('"')[0]
    transfer_unit = db.session.scalar(select(Unit).where(Unit.code == "bo_tai_chinh"))
    triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="hoa_toc",
                  lead_unit=transfer_unit, assignee=None)
    db.session.commit()
    response = client.post(f"/tickets/{ticket.reference}/transfer",
                           data={"version": stale_version, "seen_event": seen, "agency": "Bộ Công an",
                                 "note": "Ghi chú của tôi"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Người khác đã thay đổi kiến nghị này" in body and "Đã thay đổi trong lúc bạn soạn" in body
    assert "hoa_toc" in body and "Ghi chú của tôi" in body
    db.session.refresh(ticket)
    assert ticket.status == Status.ASSIGNED and ticket.transferred_to is None


def test_concurrent_flush_is_caught_as_a_stale_ticket(app, db, make_ticket, commune_officer, triage_user):
    """Two sessions load the same version; the second flush finds the row changed (version_id_col)."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    ticket = make_ticket(commune_officer)
    with Session(db.engine) as other:
        theirs = other.get(Ticket, ticket.id)
        theirs.rating = 5
        other.commit()
    ticket.rating_comment = "đè lên"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


def test_a_concurrent_flush_in_a_route_gives_the_same_clear_message(client, login, db, answered, commune_officer,
                                                                    monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    def collide(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'tickets' expected to update 1 row(s); 0 were matched.")

    ticket = answered()
    login(commune_officer)
    monkeypatch.setattr("tracker.workflow.rate", collide)
    response = post(client, ticket, "rate", score="5")
    assert response.status_code == 422 and "Người khác đã thay đổi kiến nghị này" in response.get_data(as_text=True)
    monkeypatch.setattr("tracker.views.tickets.routes.post_message", collide)
    response = client.post(f"/tickets/{ticket.reference}/messages", data={"body": "Cảm ơn"},
                           headers={"Referer": f"/tickets/{ticket.reference}"}, follow_redirects=True)
    assert "Người khác đã thay đổi kiến nghị này" in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.rating is None


def test_answer_carries_the_reply_document_file(client, login, db, make_ticket, commune_officer, assign,
                                                specialist):
    import io

    from tracker.models import Attachment

    ticket = assign(make_ticket(commune_officer))
    login(specialist)
    response = client.post(f"/tickets/{ticket.reference}/answer", content_type="multipart/form-data", data={
        "version": ticket.version, "body": "Trả lời kèm công văn", "outcome": "answered",
        "reply_doc_number": "4168/BNV-CQDP", "reply_doc_date": "12/06/2025",
        "attachments": [(io.BytesIO(b"%PDF-1.7\n%%EOF\n"), "Công văn 4168.pdf")]})
    assert response.status_code == 302
    row = db.session.scalar(select(Attachment))
    assert row.original_name == "Công văn 4168.pdf" and row.message_id is not None
    login(commune_officer)
    assert "Công văn 4168.pdf" in client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)


def test_workflow_forms_need_their_csrf_token(csrf_client, csrf_login, db, answered, commune_officer):
    from .conftest import csrf_token_from

    ticket = answered()
    csrf_login(commune_officer)
    refused = csrf_client.post(f"/tickets/{ticket.reference}/confirm", data={"version": ticket.version})
    assert refused.status_code == 400
    db.session.refresh(ticket)
    assert ticket.status == Status.ANSWERED
    token = csrf_token_from(csrf_client.get(f"/tickets/{ticket.reference}").get_data(as_text=True))
    accepted = csrf_client.post(f"/tickets/{ticket.reference}/confirm",
                                data={"version": ticket.version, "csrf_token": token})
    assert accepted.status_code == 302
    db.session.refresh(ticket)
    assert ticket.status == Status.CLOSED


def test_auto_close_counts_holidays_as_days_off(db, answered):
    """Answered on Wednesday 29/4/2026: 30/4 and 1/5 are public holidays, so 7 working days end on 12/5."""
    ticket = answered()
    ticket.answered_at = dt.datetime(2026, 4, 29, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội
    db.session.commit()
    assert workflow.close_unconfirmed_answers(dt.datetime(2026, 5, 8, 4, 0, tzinfo=dt.UTC)) == 0
    assert workflow.close_unconfirmed_answers(dt.datetime(2026, 5, 11, 4, 0, tzinfo=dt.UTC)) == 0
    assert workflow.close_unconfirmed_answers(dt.datetime(2026, 5, 12, 4, 0, tzinfo=dt.UTC)) == 1


def test_an_action_the_page_does_not_offer_is_refused_clearly_even_with_empty_fields(client, login, db,
                                                                                     answered, commune_officer):
    ticket = answered()
    login(commune_officer)
    response = post(client, ticket, "answer", body="", outcome="")
    assert response.status_code == 422
    assert "Bạn không thể thực hiện thao tác này với kiến nghị lúc này." in response.get_data(as_text=True)


@pytest.mark.parametrize("action, field, status", [
    ("ask", "body", Status.IN_PROGRESS), ("reopen", "reason", Status.ANSWERED),
])
def test_questions_and_reasons_are_required_and_bounded(client, login, db, make_ticket, commune_officer, assign,
                                                        specialist, answered, action, field, status):
    ticket = answered() if status is Status.ANSWERED else assign(make_ticket(commune_officer))
    if status is Status.IN_PROGRESS:
        set_status(ticket, None, Status.IN_PROGRESS, ticket.created_at)
        db.session.commit()
    login(commune_officer if action == "reopen" else specialist)
    for value, message in (("", "Trường này là bắt buộc"), ("x" * 20_001, "Tối đa 20000 ký tự")):
        response = post(client, ticket, action, **{field: value})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.status == status
