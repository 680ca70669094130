"""Each user chooses, per kind of event, an email at once, a daily summary, or none; the app's list always has
it. Defaults follow the role; a commune always hears that its obstacle was answered."""
import datetime as dt

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_from
from tracker import workflow
from tracker.alerts import batching
from tracker.alerts.preferences import save_settings, settings_of
from tracker.enums import Delivery, NotificationKind, Role
from tracker.errors import DomainError
from tracker.models import Notification, NotificationPreference, OutboxMessage
from tracker.tickets import post_message, triage_ticket

K, D = NotificationKind, Delivery


def emails(db, prefix):
    db.session.expire_all()
    return {m.recipient for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.key.like(f"{prefix}%")))}


def notes(db, kind):
    db.session.expire_all()
    return db.session.scalars(select(Notification).where(Notification.kind == kind)).all()


@pytest.fixture
def assign(db, triage_user, unit, specialist):
    def do(ticket, assignee=specialist):
        triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="khan",
                      lead_unit=unit, assignee=assignee)
        db.session.commit()
        return ticket

    return do


def test_defaults_follow_the_role(make_user, specialist, commune_officer, province_coordinator):
    assert settings_of(specialist) == {K.ASSIGNED: D.IMMEDIATE, K.LOCALITY_REPLY: D.IMMEDIATE,
                                       K.AT_RISK: D.IMMEDIATE, K.BREACHED: D.IMMEDIATE}
    lead = settings_of(make_user(Role.LEAD))
    assert (lead[K.AT_RISK], lead[K.BREACHED], lead[K.ASSIGNED]) == (D.DAILY, D.DAILY, D.IMMEDIATE)
    assert settings_of(province_coordinator) == {K.ANSWERED: D.DAILY}
    assert settings_of(commune_officer) == {K.ANSWERED: D.IMMEDIATE}


def test_the_settings_page_saves_choices_with_its_csrf_token(csrf_login, specialist, db):
    client = csrf_login(specialist)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "Cài đặt thông báo" in page and 'name="at_risk" type="radio" value="daily"' in page
    choices = {"assigned": "immediate", "locality_reply": "off", "at_risk": "daily", "breached": "immediate"}
    assert client.post("/notifications/settings", data=choices).status_code == 400  # no token: nothing saved
    assert settings_of(specialist)[K.AT_RISK] is D.IMMEDIATE
    response = client.post("/notifications/settings", data={**choices, "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert settings_of(specialist) == {K.ASSIGNED: D.IMMEDIATE, K.LOCALITY_REPLY: D.OFF, K.AT_RISK: D.DAILY,
                                       K.BREACHED: D.IMMEDIATE}
    assert "Đã lưu cài đặt thông báo." in client.get("/notifications/settings").get_data(as_text=True)


@pytest.mark.parametrize("value", ["", "loud", "x" * 5000])  # a NUL byte is refused before any view (400)
def test_a_choice_that_is_not_offered_is_refused_beside_its_group_and_nothing_is_saved(client, login, specialist,
                                                                                       db, value):
    login(specialist)
    response = client.post("/notifications/settings", data={"assigned": "off", "locality_reply": "off",
                                                            "at_risk": value, "breached": "daily"})
    assert response.status_code == 422
    assert "Chọn cách nhận thông báo này." in response.get_data(as_text=True)
    assert db.session.scalars(select(NotificationPreference)).all() == []


def test_a_missing_choice_is_refused(specialist, db):
    with pytest.raises(DomainError) as refused:
        save_settings(specialist, {"assigned": "off"})
    assert refused.value.field == "locality_reply"


def test_the_page_needs_a_login(client):
    response = client.get("/notifications/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_commune_cannot_turn_off_that_its_obstacle_was_answered(client, login, commune_officer, make_ticket,
                                                                   assign, specialist, db):
    login(commune_officer)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'name="answered"' not in page and "luôn bật" in page
    client.post("/notifications/settings", data={"answered": "off"})
    db.session.add(NotificationPreference(user_id=commune_officer.id, kind="answered", delivery="off"))  # forged
    db.session.commit()
    ticket = assign(make_ticket(commune_officer))
    workflow.answer(specialist, ticket, version=ticket.version, body="Trả lời", outcome="answered")
    db.session.commit()
    assert emails(db, "answer:") == {commune_officer.email}
    assert settings_of(commune_officer) == {K.ANSWERED: D.IMMEDIATE}


def test_assignment_emails_follow_the_assignees_setting(make_ticket, commune_officer, assign, specialist, db):
    save_settings(specialist, {"assigned": "off", "locality_reply": "immediate", "at_risk": "immediate",
                               "breached": "immediate"})
    db.session.commit()
    first = assign(make_ticket(commune_officer))
    assert emails(db, "assigned:") == set() and len(notes(db, "assigned")) == 2  # routed + assigned, in the app
    save_settings(specialist, {"assigned": "daily", "locality_reply": "immediate", "at_risk": "immediate",
                               "breached": "immediate"})
    db.session.commit()
    second = assign(make_ticket(commune_officer))
    assert emails(db, "assigned:") == set()
    owed = [n for n in notes(db, "assigned") if n.ticket_id == second.id]
    assert owed and all(n.email_due_at and n.email_due_at > n.created_at for n in owed)
    run = batching.send_due_alerts(max(n.email_due_at for n in owed) + dt.timedelta(seconds=1))
    assert run.emails == 1
    summary = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key.like("alerts:%")))
    assert second.reference in summary.body_text and first.reference not in summary.body_text
    assert "Giao cho tôi hoặc đơn vị tôi" in summary.body_text


def test_a_province_gets_its_communes_answers_per_its_setting(make_ticket, commune_officer, province_coordinator,
                                                              assign, specialist, db):
    def answer():
        ticket = assign(make_ticket(commune_officer))
        workflow.answer(specialist, ticket, version=ticket.version, body="Trả lời", outcome="answered")
        db.session.commit()
        return ticket

    first = answer()  # default: the daily summary
    assert emails(db, "answer:") == {commune_officer.email}
    [owed] = [n for n in notes(db, "answered") if n.user_id == province_coordinator.id]
    assert owed.ticket_id == first.id and owed.email_due_at is not None
    save_settings(province_coordinator, {"answered": "immediate"})
    db.session.commit()
    answer()
    province_mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == province_coordinator.email))
    assert "Kiến nghị của Phường Hoàn Kiếm đã được trả lời" in province_mail.subject
    save_settings(province_coordinator, {"answered": "off"})
    db.session.commit()
    answer()
    assert len([n for n in notes(db, "answered") if n.user_id == province_coordinator.id]) == 3  # all in the app
    assert len(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == province_coordinator.email)).all()) == 1


def test_a_provinces_own_obstacle_answered_reaches_it_at_once_whatever_its_setting(make_ticket, assign, specialist,
                                                                                     province_coordinator, db):
    save_settings(province_coordinator, {"answered": "off"})
    ticket = assign(make_ticket(province_coordinator))
    workflow.answer(specialist, ticket, version=ticket.version, body="Trả lời", outcome="answered")
    db.session.commit()
    assert emails(db, "answer:") == {province_coordinator.email}


def test_the_localitys_reply_reaches_whoever_must_act(make_ticket, commune_officer, assign, specialist, make_user,
                                                      unit, triage_user, db):
    head = make_user(Role.SPECIALIST, unit=unit, is_unit_head=True)
    assigned = assign(make_ticket(commune_officer))
    unassigned = assign(make_ticket(commune_officer), assignee=None)
    waiting = make_ticket(commune_officer)
    for ticket in (assigned, unassigned, waiting):
        post_message(commune_officer, ticket, body="Bổ sung thông tin")
    db.session.commit()
    told = {(n.ticket_id, n.user_id) for n in notes(db, "locality_reply")}
    assert told == {(assigned.id, specialist.id), (unassigned.id, head.id), (waiting.id, triage_user.id)}
    assert emails(db, "locality_reply:") == {specialist.email, head.email, triage_user.email}


def test_the_page_speaks_english_to_an_english_user(client, login, make_user):
    login(make_user(Role.LEAD, locale="en"))
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "Notification settings" in page and "In a daily summary" in page
