"""Bulk triage on the queue: one POST, each ticket through the domain rules, all or nothing."""
import pytest
from sqlalchemy import select

from tracker.enums import Role, Status
from tracker.models import Event, Unit

from .conftest import csrf_token_from


@pytest.fixture
def tickets(commune_officer, make_ticket):
    return [make_ticket(commune_officer, title=f"Vé {i}") for i in range(3)]


def bulk_data(chosen, **fields):
    data = {"tickets": [t.reference for t in chosen], "action": "assign", "unit": "moha_tcbc", "assignee": "",
            "urgency": ""}
    data.update({f"version-{t.reference}": t.version for t in chosen})
    data.update(fields)
    return data


def state(db, tickets):
    for t in tickets:
        db.session.refresh(t)
    return [(t.status, t.lead_unit_id, t.assignee_id, t.urgency, t.version) for t in tickets]


def test_bulk_assign_routes_every_selected_ticket(client, login, triage_user, tickets, specialist, unit, db):
    login(triage_user)
    response = client.post("/triage/bulk", data=bulk_data(tickets[:2], assignee=str(specialist.id)))
    assert response.status_code == 302
    assert [s[:3] for s in state(db, tickets)] == [(Status.ASSIGNED, unit.id, specialist.id)] * 2 + [
        (Status.NEW, None, None)]
    assert db.session.scalar(select(Event).where(Event.ticket_id == tickets[0].id, Event.field == "lead_unit"))


def test_bulk_set_urgency(client, login, triage_user, tickets, db):
    login(triage_user)
    response = client.post("/triage/bulk", data=bulk_data(tickets, action="urgency", urgency="hoa_toc"))
    assert response.status_code == 302
    assert {s[3] for s in state(db, tickets)} == {"hoa_toc"}
    assert {s[0] for s in state(db, tickets)} == {Status.NEW}


def test_bulk_keeps_the_queue_filters_on_return(client, login, triage_user, tickets):
    login(triage_user)
    response = client.post("/triage/bulk?sort=urgency&category=bien_che",
                           data=bulk_data(tickets, action="urgency", urgency="khan"))
    assert "sort=urgency" in response.location and "category=bien_che" in response.location


def bad_cases(tickets, specialist, inactive, other_unit_specialist):
    first = tickets[0].reference
    return [
        ({"tickets": []}, "Chọn ít nhất một kiến nghị"),
        ({"unit": ""}, "Chọn đơn vị chủ trì"),
        ({"unit": "khong_co"}, "Chọn một giá trị trong danh sách"),
        ({"assignee": str(inactive.id)}, "chuyên viên đang hoạt động của đơn vị chủ trì"),
        ({"assignee": str(other_unit_specialist.id)}, "chuyên viên đang hoạt động của đơn vị chủ trì"),
        ({"assignee": "abc"}, "chuyên viên đang hoạt động của đơn vị chủ trì"),
        ({"action": "urgency", "urgency": "rat_gap"}, "Chọn mức độ khẩn trong danh sách"),
        ({"action": "urgency", "urgency": ""}, "Chọn mức độ khẩn trong danh sách"),
        ({f"version-{tickets[2].reference}": "0"}, f"{tickets[2].reference}: Người khác đã thay đổi"),
        ({"tickets": [first, "PUN-2026-999999"]}, "PUN-2026-999999: kiến nghị này không tồn tại"),
        ({"tickets": [first, "x" * 5000]}, "kiến nghị này không tồn tại"),
    ]


def test_bulk_refusal_changes_nothing_and_names_the_ticket(client, login, triage_user, tickets, specialist, db,
                                                          make_user, unit):
    inactive = make_user(Role.SPECIALIST, unit=unit, active=False)
    elsewhere = make_user(Role.SPECIALIST, unit=db.session.scalar(select(Unit).where(Unit.code == "bo_tai_chinh")))
    before = state(db, tickets)
    login(triage_user)
    for override, message in bad_cases(tickets, specialist, inactive, elsewhere):
        response = client.post("/triage/bulk", data=bulk_data(tickets, **override))
        assert response.status_code == 422, override
        html = response.get_data(as_text=True)
        assert message in html and "Không có thay đổi nào" in html, override
    assert state(db, tickets) == before


def test_bulk_refuses_a_ticket_that_can_no_longer_be_triaged(client, login, triage_user, tickets, db):
    tickets[1].status = Status.CLOSED.value
    db.session.commit()
    before = state(db, tickets)
    login(triage_user)
    response = client.post("/triage/bulk", data=bulk_data(tickets))
    assert response.status_code == 422
    assert f"{tickets[1].reference}: Kiến nghị này không thể phân loại nữa" in response.get_data(as_text=True)
    assert state(db, tickets) == before


@pytest.mark.parametrize("role", [Role.COMMUNE, Role.PROVINCE, Role.SPECIALIST])
def test_roles_without_triage_cannot_bulk(client, login, make_user, hoan_kiem, hanoi, unit, tickets, db, role):
    where = {Role.COMMUNE: {"locality": hoan_kiem}, Role.PROVINCE: {"locality": hanoi},
             Role.SPECIALIST: {"unit": unit}}[role]
    before = state(db, tickets)
    login(make_user(role, **where))
    assert client.post("/triage/bulk", data=bulk_data(tickets)).status_code == 404
    assert state(db, tickets) == before


def test_bulk_form_needs_csrf(csrf_client, csrf_login, triage_user, tickets, db):
    before = state(db, tickets)
    csrf_login(triage_user)
    assert csrf_client.post("/triage/bulk", data=bulk_data(tickets)).status_code == 400
    assert state(db, tickets) == before
    token = csrf_token_from(csrf_client.get("/triage").get_data(as_text=True))
    response = csrf_client.post("/triage/bulk", data={**bulk_data(tickets), "csrf_token": token})
    assert response.status_code == 302


def test_queue_page_carries_each_tickets_version(client, login, triage_user, tickets):
    login(triage_user)
    html = client.get("/triage").get_data(as_text=True)
    for t in tickets:
        assert f'name="version-{t.reference}" value="{t.version}"' in html


def test_the_queue_builds_its_empty_bulk_form_once_and_each_page_carries_a_token_it_accepts(
        csrf_client, csrf_login, triage_user, tickets, db, monkeypatch):
    from tracker.views.triage import routes

    built = []

    class CountedBulkForm(routes.BulkForm):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(routes, "BulkForm", CountedBulkForm)
    csrf_login(triage_user)
    pages = [csrf_client.get("/triage").get_data(as_text=True) for _ in range(3)]
    assert len(built) <= 1  # at most the first page of this process and language renders it
    bulk_form = pages[-1].split('class="bulk-form">', 1)[1]
    token = csrf_token_from(bulk_form)
    response = csrf_client.post("/triage/bulk", data={**bulk_data(tickets[:1]), "csrf_token": token})
    assert response.status_code == 302
    assert state(db, tickets[:1])[0][0] == Status.ASSIGNED
