import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from tracker.enums import Role, Status
from tracker.models import Event, Ticket

VALID = {"category": "bien_che", "title": "Vướng mắc biên chế công chức xã",
         "description": "Đề nghị hướng dẫn xác định biên chế.", "legal_basis": "Nghị định 150/2025/NĐ-CP",
         "urgency": "normal"}


def ticket_count(db):
    return db.session.scalar(select(func.count(Ticket.id)))


def test_commune_officer_files_an_obstacle(client, login, commune_officer, db):
    login(commune_officer)
    response = client.post("/tickets/new", data=VALID)
    assert response.status_code == 302
    ticket = db.session.scalars(select(Ticket)).one()
    assert re.fullmatch(r"PUN-\d{4}-000001", ticket.reference)
    assert response.headers["Location"].endswith(f"/tickets/{ticket.reference}")
    assert ticket.locality_id == commune_officer.locality_id
    assert ticket.province_id == commune_officer.locality.parent_id
    assert ticket.status == Status.NEW
    assert ticket.first_response_due_at > ticket.created_at
    assert ticket.answer_due_at > ticket.first_response_due_at
    assert db.session.scalar(select(Event.kind).where(Event.ticket_id == ticket.id)) == "filed"


def test_references_count_up_per_year(make_ticket, commune_officer):
    first = make_ticket(commune_officer)
    second = make_ticket(commune_officer)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1
    next_year = make_ticket(commune_officer, now=dt.datetime(2031, 1, 2, 3, tzinfo=dt.UTC))
    assert next_year.reference == "PUN-2031-000001"


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "Trường này là bắt buộc"),
    ("title", "   ", "Trường này là bắt buộc"),
    ("title", "x" * 301, "Tối đa 300 ký tự"),
    ("description", "", "Trường này là bắt buộc"),
    ("description", "x" * 20_001, "Tối đa 20000 ký tự"),
    ("legal_basis", "x" * 20_001, "Tối đa 20000 ký tự"),
    ("category", "", "Trường này là bắt buộc"),
    ("category", "khong_co", "Chọn lĩnh vực trong danh sách"),
    ("category", ["a", "b"], "Chọn lĩnh vực trong danh sách"),
    ("urgency", "hoa_toc", "Chọn mức độ khẩn trong danh sách"),
    ("urgency", "", "Trường này là bắt buộc"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, login, commune_officer, db,
                                                                field, value, message):
    login(commune_officer)
    data = {**VALID, field: value}
    response = client.post("/tickets/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert ticket_count(db) == 0
    if field != "title":
        assert VALID["title"] in page  # the form is kept as typed


def test_province_coordinator_files_for_one_of_its_communes(client, login, province_coordinator, hoan_kiem, db):
    login(province_coordinator)
    page = client.get("/tickets/new").get_data(as_text=True)
    assert "Phường Hoàn Kiếm" in page
    assert client.post("/tickets/new", data={**VALID, "locality": "00070"}).status_code == 302
    assert db.session.scalars(select(Ticket)).one().locality_id == hoan_kiem.id


def test_province_coordinator_cannot_file_for_another_province(client, login, province_coordinator, ben_thanh,
                                                               hcm, db):
    login(province_coordinator)
    for code in ("26740", "79", "99999", ""):
        response = client.post("/tickets/new", data={**VALID, "locality": code})
        assert "Bạn không được gửi kiến nghị cho địa phương này" in response.get_data(as_text=True)
    assert ticket_count(db) == 0


def test_commune_officer_cannot_pick_another_locality(client, login, commune_officer, ba_dinh, db):
    login(commune_officer)
    client.post("/tickets/new", data={**VALID, "locality": "00004"})
    assert db.session.scalars(select(Ticket)).one().locality_id == commune_officer.locality_id


@pytest.mark.parametrize("role", [Role.TRIAGE, Role.SPECIALIST, Role.LEAD])
def test_team_roles_do_not_get_the_locality_form(client, login, make_user, role, unit):
    login(make_user(role, unit=unit))
    assert client.get("/tickets/new").status_code == 404


def test_filing_without_csrf_token_saves_nothing(csrf_client, csrf_login, commune_officer, db):
    csrf_login(commune_officer)
    response = csrf_client.post("/tickets/new", data=VALID)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "thiếu mã bảo mật" in page
    assert VALID["title"] in page and VALID["description"] in page  # the form is kept as typed
    assert 'name="csrf_token"' in page  # with a fresh token to send it again
    assert ticket_count(db) == 0


def test_html_in_title_and_description_is_shown_as_text(client, login, commune_officer, make_ticket):
    ticket = make_ticket(commune_officer, title="<script>alert(1)</script>", description="<b>đậm</b>")
    login(commune_officer)
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;đậm&lt;/b&gt;" in page


def test_references_stay_unique_under_concurrent_filing(app, db, commune_officer):
    """Many filings at the same moment from separate connections never share a reference."""
    from concurrent.futures import ThreadPoolExecutor

    from tracker.models import Category, Locality, User
    from tracker.tickets import file_ticket

    user_id, locality_id = commune_officer.id, commune_officer.locality_id

    def file_one(_):
        with app.app_context():
            user = db.session.get(User, user_id)
            category = db.session.scalar(select(Category).where(Category.code == "bien_che"))
            ticket = file_ticket(user, locality=db.session.get(Locality, locality_id), category=category,
                                 title="Cùng lúc", description="x")
            db.session.commit()
            return ticket.reference

    with ThreadPoolExecutor(max_workers=8) as pool:
        references = list(pool.map(file_one, range(24)))
    assert len(set(references)) == 24
    assert ticket_count(db) == 24
