"""Event emails go through the outbox, once per recipient and event, in the transaction of the change."""
import pytest
from sqlalchemy import select

from tracker import workflow
from tracker.enums import Role
from tracker.mail import notify
from tracker.models import OutboxMessage, Unit
from tracker.tickets import post_message, triage_ticket


def outbox(db):
    return {(m.key.split(":")[0], m.recipient) for m in db.session.scalars(select(OutboxMessage))}


@pytest.fixture
def assigned(db, make_ticket, commune_officer, triage_user, unit, specialist):
    ticket = make_ticket(commune_officer)
    triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="khan",
                  lead_unit=unit, assignee=specialist)
    db.session.commit()
    return ticket


def test_assignment_emails_the_assignee_and_routing_the_lead_units_specialists(db, assigned, specialist,
                                                                               make_user, unit):
    assert ("assigned", specialist.email) in outbox(db)
    assert ("routed", specialist.email) in outbox(db)


def test_routing_emails_active_specialists_and_the_units_address_not_others(db, make_ticket, commune_officer,
                                                                             triage_user, unit, make_user):
    active = make_user(Role.SPECIALIST, unit=unit)
    inactive = make_user(Role.SPECIALIST, unit=unit, active=False)
    elsewhere = make_user(Role.SPECIALIST, unit=db.session.scalar(select(Unit).where(Unit.code == "bo_tai_chinh")))
    unit.email = "vu-tcbc@moha.gov.vn"
    ticket = make_ticket(commune_officer)
    triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="khan",
                  lead_unit=unit, assignee=None)
    db.session.commit()
    recipients = {r for kind, r in outbox(db) if kind == "routed"}
    assert recipients == {active.email, "vu-tcbc@moha.gov.vn"}
    assert inactive.email not in recipients and elsewhere.email not in recipients
    unit_mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "vu-tcbc@moha.gov.vn"))
    assert ticket.reference in unit_mail.subject and "Kiến nghị mới giao đơn vị chủ trì" in unit_mail.subject


def test_notify_routed_twice_enqueues_once(db, assigned):
    before = db.session.scalars(select(OutboxMessage.key)).all()
    notify.notify_routed(assigned)
    db.session.commit()
    assert db.session.scalars(select(OutboxMessage.key)).all() == before


def test_answer_emails_the_commune_officers_in_vietnamese(db, assigned, specialist, commune_officer, make_user,
                                                         hoan_kiem, ba_dinh):
    colleague = make_user(Role.COMMUNE, hoan_kiem)
    make_user(Role.COMMUNE, ba_dinh)
    message = workflow.answer(specialist, assigned, version=assigned.version, body="Áp dụng Nghị định 150.",
                              outcome="answered")
    db.session.commit()
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.key.like("answer:%"))).all()
    assert {m.recipient for m in sent} == {commune_officer.email, colleague.email}
    assert {m.key for m in sent} == {f"answer:{message.id}:user:{u.id}" for u in (commune_officer, colleague)}
    assert "Kiến nghị đã được trả lời" in sent[0].subject
    assert "Áp dụng Nghị định 150." in sent[0].body_text and "Tổ phản ứng nhanh đã trả lời" in sent[0].body_text


def test_a_provinces_own_obstacle_emails_its_coordinators(db, make_ticket, province_coordinator, triage_user):
    ticket = make_ticket(province_coordinator)
    post_message(triage_user, ticket, body="Đề nghị bổ sung hồ sơ.")
    db.session.commit()
    assert outbox(db) == {("reply", province_coordinator.email)}


def test_internal_notes_and_the_localitys_own_replies_email_no_locality(db, assigned, specialist,
                                                                        commune_officer):
    post_message(specialist, assigned, body="Ghi chú nội bộ", internal=True)
    post_message(commune_officer, assigned, body="Bổ sung thông tin")
    db.session.commit()
    assert {kind for kind, _ in outbox(db)} == {"assigned", "routed", "locality_reply"}
    assert {r for kind, r in outbox(db) if kind == "locality_reply"} == {specialist.email}  # the team hears


def test_a_rolled_back_answer_sends_nothing(db, assigned, specialist):
    workflow.answer(specialist, assigned, version=assigned.version, body="Trả lời", outcome="answered")
    db.session.rollback()
    assert {kind for kind, _ in outbox(db)} == {"assigned", "routed"}


def test_merge_and_transfer_tell_the_locality(db, make_ticket, commune_officer, triage_user):
    main, copy, away = (make_ticket(commune_officer) for _ in range(3))
    workflow.mark_duplicate(triage_user, copy, version=copy.version, main=main)
    workflow.transfer(triage_user, away, version=away.version, agency="Bộ Công an", note="Chuyển Bộ Công an")
    db.session.commit()
    assert {kind for kind, _ in outbox(db)} == {"duplicate", "transferred"}
    merged = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key.like("duplicate:%")))
    assert main.reference in merged.body_text


def test_the_main_obstacles_answer_reaches_the_localities_merged_into_it(db, make_ticket, commune_officer,
                                                                        make_user, ben_thanh, triage_user,
                                                                        unit, specialist):
    far = make_user(Role.COMMUNE, ben_thanh)
    main, copy = make_ticket(far), make_ticket(commune_officer)
    workflow.mark_duplicate(triage_user, copy, version=copy.version, main=main)
    triage_ticket(triage_user, main, version=main.version, category=main.category, urgency="khan",
                  lead_unit=unit, assignee=specialist)
    workflow.answer(specialist, main, version=main.version, body="Trả lời chung", outcome="answered")
    db.session.commit()
    assert {r for kind, r in outbox(db) if kind == "answer"} == {far.email, commune_officer.email}
