"""Triage can override routing and add coordinating units, who see and comment on the ticket."""
from sqlalchemy import select

from tracker.enums import Role
from tracker.models import Event, Message, Unit


def unit_by(db, code):
    return db.session.scalar(select(Unit).where(Unit.code == code))


def data(ticket, **fields):
    base = {"version": ticket.version, "category": ticket.category.code, "urgency": ticket.urgency,
            "lead_unit": "moha_tcbc", "assignee": "", "coordinating_units": ["bo_tai_chinh", "bo_xay_dung"]}
    base.update(fields)
    return base


def test_triage_adds_coordinating_units_with_history(client, login, triage_user, commune_officer, make_ticket, db):
    ticket = make_ticket(commune_officer)
    login(triage_user)
    assert client.post(f"/triage/{ticket.reference}", data=data(ticket)).status_code == 302
    db.session.refresh(ticket)
    assert sorted(u.code for u in ticket.coordinating_units) == ["bo_tai_chinh", "bo_xay_dung"]
    event = db.session.scalar(select(Event).where(Event.field == "coordinating_units"))
    assert event.new_value == "bo_tai_chinh, bo_xay_dung"
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Đơn vị phối hợp" in page and "Bộ Xây dựng" in page


def test_coordinating_specialist_can_comment(client, login, triage_user, commune_officer, make_ticket, db,
                                             make_user):
    ticket = make_ticket(commune_officer)
    login(triage_user)
    client.post(f"/triage/{ticket.reference}", data=data(ticket))
    login(make_user(Role.SPECIALIST, unit=unit_by(db, "bo_xay_dung")))
    response = client.post(f"/tickets/{ticket.reference}/messages", data={"body": "Ý kiến phối hợp"})
    assert response.status_code == 302
    assert db.session.scalar(select(Message.body)) == "Ý kiến phối hợp"


def test_bad_coordinating_units_are_refused(client, login, triage_user, commune_officer, make_ticket, db):
    ticket = make_ticket(commune_officer)
    inactive = unit_by(db, "bo_y_te")
    inactive.active = False
    db.session.commit()
    login(triage_user)
    for units, message in ((["khong_co"], "Chọn một giá trị trong danh sách"),
                           (["bo_y_te"], "Đơn vị này không còn hoạt động"),
                           (["moha_tcbc"], "Đơn vị chủ trì không thể đồng thời là đơn vị phối hợp")):
        response = client.post(f"/triage/{ticket.reference}", data=data(ticket, coordinating_units=units))
        assert response.status_code == 422 and message in response.get_data(as_text=True), units
    db.session.refresh(ticket)
    assert ticket.coordinating_units == [] and ticket.lead_unit_id is None


def test_triage_overrides_a_routed_ticket(client, login, triage_user, commune_officer, make_ticket, db, unit):
    from tracker.models import RoutingRule

    db.session.add(RoutingRule(position=1, unit=unit))
    db.session.commit()
    ticket = make_ticket(commune_officer)
    login(triage_user)
    response = client.post(f"/triage/{ticket.reference}", data=data(ticket, lead_unit="bo_tai_chinh",
                                                                     coordinating_units=[]))
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert ticket.lead_unit.code == "bo_tai_chinh"
