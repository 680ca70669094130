"""Routing rules: the first matching active rule gives the lead unit and an assignee by its strategy."""
import os

import pytest
from sqlalchemy import select

from tracker.enums import Role, Status
from tracker.extensions import db as _db
from tracker.models import Category, Event, RoutingRule, Unit
from tracker.routing import fold


@pytest.fixture
def make_rule(db, unit):
    def make(position=1, category=None, province=None, keyword=None, strategy="none", target=None, **fields):
        cat = db.session.scalar(select(Category).where(Category.code == category)) if category else None
        rule = RoutingRule(position=position, category=cat, province=province, keyword=keyword,
                           unit=target or unit, strategy=strategy, **fields)
        db.session.add(rule)
        db.session.commit()
        return rule

    return make


def other_unit(code="bo_tai_chinh"):
    return _db.session.scalar(select(Unit).where(Unit.code == code))


def test_no_matching_rule_leaves_the_ticket_in_the_triage_queue(commune_officer, make_ticket, make_rule):
    make_rule(category="dat_dai")
    ticket = make_ticket(commune_officer, category_code="bien_che")
    assert (ticket.status, ticket.lead_unit_id, ticket.routing_rule_id) == (Status.NEW, None, None)


def test_category_default_unit_alone_does_not_route(commune_officer, make_ticket):
    ticket = make_ticket(commune_officer, category_code="bien_che")
    assert ticket.status == Status.NEW and ticket.lead_unit_id is None


def test_matching_rule_routes_and_records_the_rule(commune_officer, make_ticket, make_rule, unit, db):
    rule = make_rule(category="bien_che")
    ticket = make_ticket(commune_officer)
    assert (ticket.status, ticket.lead_unit_id, ticket.routing_rule_id, ticket.assignee_id) == (
        Status.ASSIGNED, unit.id, rule.id, None)
    events = {(e.kind, e.field): e.new_value for e in db.session.scalars(
        select(Event).where(Event.ticket_id == ticket.id))}
    assert f"#{rule.id}" in events[("routed", "routing_rule")]
    assert events[("changed", "lead_unit")] == unit.code
    assert events[("status", "status")] == "assigned"
    assert ticket.first_responded_at is not None


def test_rules_apply_in_position_order(commune_officer, make_ticket, make_rule):
    make_rule(position=2, category="bien_che")
    first = make_rule(position=1, category="bien_che", target=other_unit())
    assert make_ticket(commune_officer).routing_rule_id == first.id


def test_inactive_rule_is_skipped(commune_officer, make_ticket, make_rule):
    make_rule(position=1, category="bien_che", target=other_unit(), active=False)
    second = make_rule(position=2, category="bien_che")
    assert make_ticket(commune_officer).routing_rule_id == second.id


def test_province_rule_matches_communes_of_the_province_only(commune_officer, make_ticket, make_rule, hanoi,
                                                            make_user, ben_thanh):
    make_rule(province=hanoi)
    assert make_ticket(commune_officer).status == Status.ASSIGNED
    assert make_ticket(make_user(Role.COMMUNE, ben_thanh)).status == Status.NEW


def test_category_and_province_must_both_match(commune_officer, make_ticket, make_rule, hcm):
    make_rule(category="bien_che", province=hcm)
    assert make_ticket(commune_officer).status == Status.NEW


@pytest.mark.parametrize("keyword,title,routed", [
    ("biên chế", "Vướng mắc về BIÊN CHẾ công chức", True),
    ("bien che", "Vướng mắc về biên chế công chức", True),
    ("Đất đai", "hồ sơ dat dai cấp xã", True),
    ("nhà công vụ", "Vướng mắc về biên chế", False),
])
def test_keyword_matches_the_title_ignoring_case_and_accents(commune_officer, make_ticket, make_rule, keyword,
                                                             title, routed):
    make_rule(keyword=keyword)
    assert (make_ticket(commune_officer, title=title).status == Status.ASSIGNED) is routed


def test_fold_handles_d_stroke():
    assert fold("Đất ĐAI đ") == "dat dai d"


def test_round_robin_cycles_through_active_specialists(commune_officer, make_ticket, make_rule, make_user, unit):
    people = [make_user(Role.SPECIALIST, unit=unit) for _ in range(3)]
    make_user(Role.SPECIALIST, unit=unit, active=False)
    make_user(Role.SPECIALIST, unit=other_unit())
    make_rule(strategy="round_robin")
    assigned = [make_ticket(commune_officer).assignee_id for _ in range(4)]
    assert assigned == [people[0].id, people[1].id, people[2].id, people[0].id]


def test_round_robin_skips_a_specialist_deactivated_meanwhile(commune_officer, make_ticket, make_rule, make_user,
                                                              unit, db):
    first, second, third = (make_user(Role.SPECIALIST, unit=unit) for _ in range(3))
    make_rule(strategy="round_robin")
    assert make_ticket(commune_officer).assignee_id == first.id
    second.active = False
    db.session.commit()
    assert make_ticket(commune_officer).assignee_id == third.id


def test_least_open_work_picks_the_least_loaded_active_specialist(commune_officer, make_ticket, make_rule,
                                                                  make_user, unit, db):
    busy, idle = make_user(Role.SPECIALIST, unit=unit), make_user(Role.SPECIALIST, unit=unit)
    make_user(Role.SPECIALIST, unit=unit, active=False)  # no work at all, but deactivated
    make_rule(strategy="least_open", category="bien_che")
    for _ in range(2):
        ticket = make_ticket(commune_officer, category_code="dat_dai")
        ticket.assignee, ticket.lead_unit = busy, unit
    closed = make_ticket(commune_officer, category_code="dat_dai")
    closed.assignee, closed.status = idle, Status.CLOSED.value  # finished work does not count
    db.session.commit()
    assert make_ticket(commune_officer).assignee_id == idle.id
    assert make_ticket(commune_officer).assignee_id == idle.id
    assert make_ticket(commune_officer).assignee_id in (busy.id, idle.id)


def test_strategy_with_no_active_specialist_routes_to_the_unit_only(commune_officer, make_ticket, make_rule):
    make_rule(strategy="round_robin")
    ticket = make_ticket(commune_officer)
    assert ticket.status == Status.ASSIGNED and ticket.assignee_id is None


def test_rule_to_an_inactive_unit_leaves_the_ticket_for_triage(commune_officer, make_ticket, make_rule, db):
    target = other_unit()
    target.active = False
    make_rule(target=target)
    assert make_ticket(commune_officer).status == Status.NEW


def test_routing_decision_is_shown_in_the_history(client, login, commune_officer, make_ticket, make_rule):
    rule = make_rule()
    ticket = make_ticket(commune_officer)
    login(commune_officer)
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    history = page[page.index('id="history"'):]
    assert f"đã chuyển xử lý tới Bộ Nội vụ – Vụ Tổ chức – Biên chế (theo quy tắc phân luồng số {rule.id})" in history
    assert "moha_tcbc" not in history  # names, never internal codes


def test_routing_notifies_the_unit_and_the_assignee(commune_officer, make_ticket, make_rule, make_user, unit, db):
    from tracker.models import OutboxMessage

    person = make_user(Role.SPECIALIST, unit=unit)
    make_rule(strategy="round_robin")
    ticket = make_ticket(commune_officer)
    keys = set(db.session.scalars(select(OutboxMessage.key)))
    assert f"routed:{ticket.id}:{unit.id}:user:{person.id}" in keys
    assert any(k.startswith(f"assigned:{ticket.id}:") and k.endswith(f"user:{person.id}") for k in keys)


def test_unrouted_ticket_sends_no_routing_email(commune_officer, make_ticket, db):
    from tracker.models import OutboxMessage

    ticket = make_ticket(commune_officer)
    assert not [k for k in db.session.scalars(select(OutboxMessage.key)) if k.startswith(f"routed:{ticket.id}:")]


@pytest.mark.skipif(os.environ.get("TRACKER_TEST_DB") != "postgresql", reason="row locks need PostgreSQL")
def test_round_robin_pick_locks_the_rule_row(app, db, make_rule, make_user, unit):
    """Picks in parallel transactions (all reading the rule first) still hand out each specialist once."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from tracker.routing import pick_round_robin

    people = [make_user(Role.SPECIALIST, unit=unit) for _ in range(4)]
    rule_id = make_rule(strategy="round_robin").id
    everyone_read = threading.Barrier(4)

    def pick(_):
        with app.app_context():
            rule = db.session.get(RoutingRule, rule_id)
            everyone_read.wait()
            chosen = pick_round_robin(rule)
            time.sleep(0.05)  # widen the window a lost update would need
            db.session.commit()
            return chosen.id

    with ThreadPoolExecutor(max_workers=4) as pool:
        picked = list(pool.map(pick, range(4)))
    assert sorted(picked) == sorted(p.id for p in people)
