"""Per role: every workflow action the role may not take is refused (404 or a clear message) and changes nothing."""
import pytest
from sqlalchemy import func, select

from tracker import workflow
from tracker.enums import Role, Status
from tracker.models import Event, Message, Ticket, TicketLink, Unit
from tracker.permissions import visible_tickets
from tracker.tickets import triage_ticket

# action → (form data, the ticket's status it needs)
ACTIONS = {
    "start": ({}, Status.ASSIGNED),
    "answer": ({"body": "Trả lời", "outcome": "answered"}, Status.IN_PROGRESS),
    "ask": ({"body": "Bổ sung"}, Status.IN_PROGRESS),
    "confirm": ({}, Status.ANSWERED),
    "reopen": ({"reason": "Chưa rõ"}, Status.ANSWERED),
    "rate": ({"score": "5"}, Status.ANSWERED),
    "duplicate": ({"main": "MAIN"}, Status.IN_PROGRESS),
    "transfer": ({"agency": "Bộ Công an", "note": "Chuyển"}, Status.IN_PROGRESS),
    "link": ({"other": "MAIN"}, Status.IN_PROGRESS),
}

# Who may take each action on a ticket of Hoàn Kiếm routed to Vụ TCBC (assignee: the TCBC specialist).
ALLOWED = {
    "commune": {"confirm", "reopen", "rate"},
    "province": {"confirm", "reopen", "rate"},
    "other_commune": set(),
    "other_province": set(),
    "specialist": {"start", "answer", "ask"},
    "unit_colleague": {"start", "answer", "ask"},
    "other_unit_specialist": set(),
    "triage": {"start", "answer", "ask", "duplicate", "transfer", "link"},
    "lead": {"start", "answer", "ask", "duplicate", "transfer", "link"},
    "admin": {"start", "answer", "ask", "duplicate", "transfer", "link"},
}


@pytest.fixture
def people(make_user, commune_officer, province_coordinator, specialist, triage_user, ba_dinh, ben_thanh, hcm,
           unit, db):
    other_unit = db.session.scalar(select(Unit).where(Unit.code == "bo_tai_chinh"))
    return {
        "commune": commune_officer, "province": province_coordinator,
        "other_commune": make_user(Role.COMMUNE, ba_dinh), "other_province": make_user(Role.PROVINCE, hcm),
        "specialist": specialist, "unit_colleague": make_user(Role.SPECIALIST, unit=unit),
        "other_unit_specialist": make_user(Role.SPECIALIST, unit=other_unit),
        "triage": triage_user, "lead": make_user(Role.LEAD), "admin": make_user(Role.ADMIN),
    }


def ticket_in(status, db, make_ticket, people, unit):
    from tracker.lifecycle import set_status

    ticket = make_ticket(people["commune"])
    triage_ticket(people["triage"], ticket, version=ticket.version, category=ticket.category, urgency="khan",
                  lead_unit=unit, assignee=people["specialist"])
    if status in (Status.IN_PROGRESS, Status.ANSWERED):
        set_status(ticket, None, Status.IN_PROGRESS, ticket.created_at)
    if status is Status.ANSWERED:
        workflow.answer(people["specialist"], ticket, version=ticket.version, body="Trả lời", outcome="answered")
    db.session.commit()
    return ticket


def snapshot(db, ticket):
    db.session.expire_all()
    t = db.session.get(Ticket, ticket.id)
    counts = tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Event, Message, TicketLink))
    return (t.status, t.version, t.rating, t.duplicate_of_id, t.transferred_to, *counts)


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_is_refused_every_action_it_may_not_take(role, client, login, db, make_ticket, people, unit):
    user = people[role]
    login(user)
    for action, (data, status) in ACTIONS.items():
        if action in ALLOWED[role]:
            continue
        ticket = ticket_in(status, db, make_ticket, people, unit)
        main = make_ticket(people["commune"])
        before = snapshot(db, ticket)
        payload = {"version": ticket.version, **{k: main.reference if v == "MAIN" else v for k, v in data.items()}}
        response = client.post(f"/tickets/{ticket.reference}/{action}", data=payload)
        if response.status_code != 404:
            assert response.status_code in (302, 422), (role, action)
            page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True) \
                if response.status_code == 302 else response.get_data(as_text=True)
            assert 'alert-danger' in page, (role, action)
        assert snapshot(db, ticket) == before, (role, action)


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_may_take_the_actions_it_is_allowed(role, client, login, db, make_ticket, people, unit):
    user = people[role]
    login(user)
    for action in sorted(ALLOWED[role]):
        data, status = ACTIONS[action]
        ticket = ticket_in(status, db, make_ticket, people, unit)
        main = make_ticket(people["commune"])
        before = snapshot(db, ticket)
        payload = {"version": ticket.version, **{k: main.reference if v == "MAIN" else v for k, v in data.items()}}
        response = client.post(f"/tickets/{ticket.reference}/{action}", data=payload)
        assert response.status_code == 302, (role, action)
        assert snapshot(db, ticket) != before, (role, action)


def test_locality_sees_the_main_ticket_its_own_was_merged_into_and_nothing_else(
        db, make_ticket, make_user, commune_officer, province_coordinator, ba_dinh, ben_thanh, hcm, triage_user):
    sibling = make_user(Role.COMMUNE, ba_dinh)
    far = make_user(Role.COMMUNE, ben_thanh)
    main = make_ticket(far)
    untouched = make_ticket(far)
    copy = make_ticket(commune_officer)
    workflow.mark_duplicate(triage_user, copy, version=copy.version, main=main)
    db.session.commit()

    def visible(user):
        return set(db.session.scalars(visible_tickets(user).with_only_columns(Ticket.id)))

    assert visible(commune_officer) == {copy.id, main.id}
    assert visible(province_coordinator) == {copy.id, main.id}
    assert visible(sibling) == set()
    assert visible(far) == {main.id, untouched.id}
    assert visible(make_user(Role.PROVINCE, hcm)) == {main.id, untouched.id}


def test_domain_functions_refuse_on_their_own_not_only_the_routes(db, make_ticket, people, unit):
    """The API and the CLI call the same functions: the rule lives there, not only in the page."""
    from tracker.errors import DomainError

    answered = ticket_in(Status.ANSWERED, db, make_ticket, people, unit)
    working = ticket_in(Status.IN_PROGRESS, db, make_ticket, people, unit)
    other = make_ticket(people["commune"])
    refused = [
        lambda: workflow.confirm_answer(people["specialist"], answered, version=answered.version),
        lambda: workflow.reopen(people["triage"], answered, version=answered.version, reason="x"),
        lambda: workflow.rate(people["other_commune"], answered, version=answered.version, score=5),
        lambda: workflow.answer(people["commune"], working, version=working.version, body="x", outcome="answered"),
        lambda: workflow.answer(people["other_unit_specialist"], working, version=working.version, body="x",
                                outcome="answered"),
        lambda: workflow.ask_locality(people["province"], working, version=working.version, body="x"),
        lambda: workflow.mark_duplicate(people["specialist"], working, version=working.version, main=other),
        lambda: workflow.transfer(people["specialist"], working, version=working.version, agency="A", note="B"),
        lambda: workflow.link(people["specialist"], working, other=other),
    ]
    for action in refused:
        with pytest.raises(DomainError):
            action()
        db.session.rollback()
    assert snapshot(db, working)[0] == Status.IN_PROGRESS and snapshot(db, answered)[0] == Status.ANSWERED
