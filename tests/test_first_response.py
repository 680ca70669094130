"""The first-response deadline: stored at-risk moment, swept and escalated like the answer's, met or missed
once the obstacle is routed or the locality asked, and a queue filter of its own."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tracker import workflow
from tracker.enums import Role
from tracker.models import Event, Notification
from tracker.tickets import triage_ticket
from tracker.worktime import sweep as sla_sweep
from tracker.worktime.deadlines import set_deadlines

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN)


def shown(moment):
    return moment.astimezone(VN).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def waiting(commune_officer, make_ticket):
    """Thường, filed Thu 2/1/2025 09:00: 16 working hours to respond, at risk after 12 (Fri 14:00)."""
    return make_ticket(commune_officer, now=local("2025-01-02T09:00"))


def first_response_events(db, ticket):
    return [(e.old_value, e.new_value) for e in db.session.scalars(
        select(Event).where(Event.ticket_id == ticket.id, Event.kind == "sla", Event.field == "first_response_state")
        .order_by(Event.id))]


def test_filing_stores_the_first_response_at_risk_moment(waiting):
    assert shown(waiting.first_response_due_at) == "2025-01-06T09:00"
    assert shown(waiting.first_response_at_risk_at) == "2025-01-03T14:00"
    assert waiting.first_response_state == "on_track"


def test_an_unrouted_obstacle_crosses_at_risk_then_breached_each_once(waiting, db):
    assert sla_sweep.sweep(local("2025-01-03T13:59")) == 0
    assert sla_sweep.sweep(local("2025-01-03T14:00")) == 1
    assert sla_sweep.sweep(local("2025-01-03T15:00")) == 0
    assert sla_sweep.sweep(local("2025-01-06T09:00")) == 1
    db.session.commit()
    db.session.refresh(waiting)
    assert (waiting.first_response_state, waiting.sla_state) == ("breached", "on_track")
    assert first_response_events(db, waiting) == [("on_track", "at_risk"), ("at_risk", "breached")]


def test_routing_in_time_meets_the_first_response_and_stops_its_sweep(waiting, triage_user, unit, db):
    triage_ticket(triage_user, waiting, version=waiting.version, category=waiting.category, urgency="thuong",
                  lead_unit=unit, assignee=None, now=local("2025-01-03T10:00"))
    db.session.commit()
    assert waiting.first_response_state == "met"
    assert sla_sweep.sweep(local("2025-01-06T10:00")) == 0
    assert first_response_events(db, waiting) == []


def test_routing_after_the_deadline_is_missed(waiting, triage_user, unit, db):
    sla_sweep.sweep(local("2025-01-06T10:00"))
    triage_ticket(triage_user, waiting, version=waiting.version, category=waiting.category, urgency="thuong",
                  lead_unit=unit, assignee=None, now=local("2025-01-06T10:30"))
    db.session.commit()
    assert waiting.first_response_state == "missed"


def test_asking_the_locality_is_a_first_response(waiting, triage_user, db):
    workflow.ask_locality(triage_user, waiting, version=waiting.version, body="Đề nghị bổ sung hồ sơ.",
                          now=local("2025-01-02T10:00"))
    db.session.commit()
    assert waiting.first_response_state == "met"


@pytest.mark.parametrize("close", ["merge", "transfer"])
def test_closing_without_a_first_response_finishes_its_clock(waiting, commune_officer, make_ticket, triage_user,
                                                              db, close):
    now = local("2025-01-07T10:00")  # after the first-response deadline
    if close == "merge":
        main = make_ticket(commune_officer, now=local("2025-01-02T08:00"))
        workflow.mark_duplicate(triage_user, waiting, version=waiting.version, main=main, now=now)
    else:
        workflow.transfer(triage_user, waiting, version=waiting.version, agency="Bộ Công an", note="Chuyển",
                          now=now)
    db.session.commit()
    assert waiting.first_response_state == "missed"
    sla_sweep.sweep(local("2025-02-10T10:00"))
    assert first_response_events(db, waiting) == []


def test_a_later_first_response_deadline_brings_its_state_back(waiting, db):
    sla_sweep.sweep(local("2025-01-03T14:00"))
    db.session.commit()
    assert waiting.first_response_state == "at_risk"
    set_deadlines(waiting, now=local("2025-01-03T14:00"), hours=(40, 80))  # a category policy of 5 days
    assert shown(waiting.first_response_at_risk_at) == "2025-01-07T16:00"
    assert waiting.first_response_state == "on_track"


def test_a_stricter_first_response_deadline_is_left_to_the_sweep(waiting, db):
    set_deadlines(waiting, now=local("2025-01-03T14:00"), hours=(4, 80))  # already past due
    assert waiting.first_response_state == "on_track"
    db.session.commit()
    assert sla_sweep.sweep(local("2025-01-03T14:00")) == 1
    assert first_response_events(db, waiting) == [("on_track", "breached")]


def test_queues_filter_by_first_response_state(waiting, commune_officer, make_ticket, client, login, triage_user,
                                               db):
    other = make_ticket(commune_officer, title="Một kiến nghị còn trong hạn", now=local("2025-01-06T08:30"))
    sla_sweep.sweep(local("2025-01-06T09:00"))
    db.session.commit()
    login(triage_user)
    page = client.get("/tickets?first_response_state=breached").get_data(as_text=True)
    assert waiting.reference in page and other.reference not in page
    page = client.get("/triage?first_response_state=on_track").get_data(as_text=True)
    assert other.reference in page and waiting.reference not in page
    assert 'name="first_response_state"' in page
    assert client.get("/tickets?first_response_state=nonsense").status_code == 200  # ignored, not a 500


def test_the_history_names_the_first_response_crossing(waiting, client, login, triage_user, db):
    sla_sweep.sweep(local("2025-01-06T09:00"))
    db.session.commit()
    login(triage_user)
    page = client.get(f"/tickets/{waiting.reference}").get_data(as_text=True)
    assert "trạng thái phản hồi đầu tiên thay đổi từ Trong hạn sang Quá hạn" in page


def test_first_response_warnings_reach_triage_when_nobody_is_assigned(waiting, make_user, db):
    coordinator = make_user(Role.TRIAGE)
    lead = make_user(Role.LEAD)
    sla_sweep.sweep(local("2025-01-03T14:00"))
    sla_sweep.sweep(local("2025-01-06T09:00"))
    db.session.commit()
    told = set(db.session.execute(select(Notification.kind, Notification.user_id, Notification.deadline)))
    assert told == {("at_risk", coordinator.id, "first_response_state"),
                    ("breached", coordinator.id, "first_response_state"),
                    ("breached", lead.id, "first_response_state")}
