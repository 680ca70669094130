"""Triage files on behalf of a locality that sent an obstacle by dispatch, hotline or working group."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tracker.enums import Role
from tracker.models import Ticket


def form(**fields):
    data = {"locality": "00070", "channel": "dispatch", "incoming_doc_number": "4168/UBND-NV",
            "incoming_doc_date": "12/6/2025", "category": "bien_che", "title": "Vướng mắc biên chế",
            "description": "Theo công văn của UBND phường.", "legal_basis": "", "urgency": "normal"}
    data.update(fields)
    return data


def count(db):
    return db.session.scalar(select(func.count(Ticket.id)))


def test_triage_files_on_behalf_with_channel_and_document(client, login, triage_user, hoan_kiem, db):
    login(triage_user)
    response = client.post("/triage/new", data=form())
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert (ticket.locality_id, ticket.channel, ticket.incoming_doc_number, ticket.incoming_doc_date) == (
        hoan_kiem.id, "dispatch", "4168/UBND-NV", dt.date(2025, 6, 12))
    assert ticket.created_by_id == triage_user.id
    page = client.get(response.location).get_data(as_text=True)
    assert "Công văn" in page and "4168/UBND-NV" in page and "12/06/2025" in page
    assert "thay mặt địa phương" in page


@pytest.mark.parametrize("channel", ["hotline", "working_group"])
def test_hotline_and_working_group_need_no_document(client, login, triage_user, hanoi, db, channel):
    login(triage_user)
    response = client.post("/triage/new", data=form(locality="01", channel=channel, incoming_doc_number="",
                                                   incoming_doc_date="2025-06-12"))
    assert response.status_code == 302
    assert db.session.scalar(select(Ticket.channel)) == channel


def test_the_page_shows_the_form(client, login, triage_user):
    login(triage_user)
    html = client.get("/triage/new").get_data(as_text=True)
    assert "Gửi kiến nghị thay địa phương" in html and 'name="incoming_doc_number"' in html


@pytest.mark.parametrize("fields,message", [
    ({"locality": ""}, "Trường này là bắt buộc"),
    ({"locality": "123456"}, "Tối đa 5 ký tự"),
    ({"locality": "99999"}, "Nhập mã tỉnh hoặc xã"),
    ({"channel": ""}, "Trường này là bắt buộc"),
    ({"channel": "web"}, "Chọn kênh tiếp nhận"),
    ({"channel": "fax"}, "Chọn kênh tiếp nhận"),
    ({"incoming_doc_number": ""}, "cần có số văn bản"),
    ({"incoming_doc_number": "x" * 101}, "Tối đa 100 ký tự"),
    ({"incoming_doc_date": ""}, "cần có ngày văn bản"),
    ({"incoming_doc_date": "31/02/2025"}, "dd/mm/yyyy"),
    ({"incoming_doc_date": "hôm qua"}, "dd/mm/yyyy"),
    ({"incoming_doc_date": "01/01/2099"}, "không thể ở tương lai"),
    ({"category": ""}, "Trường này là bắt buộc"),
    ({"category": "khong_co"}, "Chọn lĩnh vực trong danh sách"),
    ({"title": ""}, "Trường này là bắt buộc"),
    ({"title": "x" * 301}, "Tối đa 300 ký tự"),
    ({"description": ""}, "Trường này là bắt buộc"),
    ({"urgency": "gap"}, "Chọn mức độ khẩn trong danh sách"),
])
def test_bad_input_is_refused_and_nothing_is_saved(client, login, triage_user, hoan_kiem, db, fields, message):
    login(triage_user)
    response = client.post("/triage/new", data=form(**fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(db) == 0


@pytest.mark.parametrize("role", [Role.COMMUNE, Role.PROVINCE, Role.SPECIALIST])
def test_other_roles_cannot_file_on_behalf(client, login, make_user, hoan_kiem, hanoi, unit, db, role):
    where = {Role.COMMUNE: {"locality": hoan_kiem}, Role.PROVINCE: {"locality": hanoi},
             Role.SPECIALIST: {"unit": unit}}[role]
    login(make_user(role, **where))
    assert client.post("/triage/new", data=form()).status_code == 404
    assert count(db) == 0


def test_lead_and_admin_may_file_on_behalf(client, login, make_user, hoan_kiem, db):
    for role in (Role.LEAD, Role.ADMIN):
        login(make_user(role))
        assert client.post("/triage/new", data=form()).status_code == 302
    assert count(db) == 2


def test_filing_on_behalf_is_routed_like_any_filing(client, login, triage_user, hoan_kiem, db, unit):
    from tracker.models import RoutingRule

    db.session.add(RoutingRule(position=1, unit=unit, strategy="none"))
    db.session.commit()
    login(triage_user)
    client.post("/triage/new", data=form())
    assert db.session.scalar(select(Ticket.lead_unit_id)) == unit.id
