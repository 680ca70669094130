"""Stored deadlines: at filing, on urgency change, explicit deadlines, pause and resume, met and missed."""
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tracker.enums import Status
from tracker.lifecycle import set_status
from tracker.models import CalendarOverride, Category, Event, SlaPolicy
from tracker.tickets import triage_ticket
from tracker.worktime import sla
from tracker.worktime.calendar import WorkingCalendar, load_calendar, parse_office_hours

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN)


def shown(moment):
    return moment.astimezone(VN).strftime("%Y-%m-%dT%H:%M")


def test_filing_stores_deadlines_in_working_time(commune_officer, make_ticket):
    # Thường: 2 working days to respond, 10 to answer; filed just before Tết 2025.
    ticket = make_ticket(commune_officer, now=local("2025-01-24T09:00"))
    assert shown(ticket.first_response_due_at) == "2025-02-04T09:00"
    assert shown(ticket.answer_due_at) == "2025-02-14T09:00"
    assert shown(ticket.at_risk_at) == "2025-02-11T14:00"  # 75 % of 80 working hours = 60
    assert ticket.sla_state == "on_track"


def test_urgent_request_gets_the_khan_policy(commune_officer, make_ticket):
    ticket = make_ticket(commune_officer, requested_urgency="urgent", now=local("2025-04-29T09:00"))
    assert shown(ticket.first_response_due_at) == "2025-05-05T09:00"   # over 30/4–2/5
    assert shown(ticket.answer_due_at) == "2025-05-09T09:00"


def test_category_policy_wins_over_the_urgency_default(commune_officer, make_ticket, db):
    category = db.session.scalar(select(Category).where(Category.code == "bien_che"))
    db.session.add(SlaPolicy(urgency="thuong", category_id=category.id, first_response_hours=4, answer_hours=8))
    db.session.commit()
    ticket = make_ticket(commune_officer, now=local("2025-01-02T08:00"))
    assert shown(ticket.answer_due_at) == "2025-01-02T17:00"


def test_admin_day_off_counts_for_new_deadlines(commune_officer, make_ticket, db):
    db.session.add(CalendarOverride(day=dt.date(2025, 1, 3), is_working=False, reason="Nghỉ bù"))
    db.session.commit()
    ticket = make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    assert shown(ticket.first_response_due_at) == "2025-01-07T09:00"


def test_urgency_change_recomputes_from_the_filing_time(commune_officer, triage_user, make_ticket, db):
    ticket = make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="hoa_toc",
                  lead_unit=None, assignee=None, now=local("2025-01-02T10:00"))
    assert shown(ticket.first_response_due_at) == "2025-01-02T14:00"
    assert shown(ticket.answer_due_at) == "2025-01-03T09:00"


def test_triage_explicit_deadline_wins_and_is_recorded(commune_officer, triage_user, make_ticket, db):
    ticket = make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="thuong",
                  lead_unit=None, assignee=None, now=local("2025-01-02T10:00"), due_date=dt.date(2025, 1, 6))
    assert shown(ticket.answer_due_at) == "2025-01-06T17:00"
    triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="hoa_toc",
                  lead_unit=None, assignee=None, now=local("2025-01-02T11:00"), due_date=dt.date(2025, 1, 6))
    assert shown(ticket.answer_due_at) == "2025-01-06T17:00"  # still wins after an urgency change
    event = db.session.scalar(select(Event).where(Event.ticket_id == ticket.id, Event.field == "deadline"))
    assert (event.old_value, event.new_value) == (None, "06/01/2025")


def test_explicit_deadline_in_the_past_is_refused(commune_officer, triage_user, make_ticket):
    import pytest

    from tracker.errors import DomainError

    ticket = make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    with pytest.raises(DomainError) as error:
        triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="thuong",
                      lead_unit=None, assignee=None, now=local("2025-01-02T10:00"), due_date=dt.date(2025, 1, 1))
    assert error.value.field == "due_date"


def test_routing_meets_the_first_response(commune_officer, triage_user, make_ticket, unit):
    ticket = make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="thuong",
                  lead_unit=unit, assignee=None, now=local("2025-01-02T10:00"))
    assert ticket.first_responded_at == local("2025-01-02T10:00")


def test_asking_the_locality_meets_the_first_response_and_pauses(commune_officer, triage_user, make_ticket):
    ticket = make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    set_status(ticket, triage_user, Status.AWAITING_LOCALITY, local("2025-01-02T10:00"))
    assert ticket.first_responded_at == local("2025-01-02T10:00")
    assert ticket.paused_at == local("2025-01-02T10:00") and ticket.paused_status == "new"


def test_resume_moves_deadlines_by_the_working_time_waited(commune_officer, triage_user, make_ticket):
    ticket = make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    answer_due, at_risk = ticket.answer_due_at, ticket.at_risk_at
    set_status(ticket, triage_user, Status.AWAITING_LOCALITY, local("2025-01-24T16:00"))
    set_status(ticket, triage_user, Status.NEW, local("2025-02-03T10:00"))  # 3 working hours over Tết
    assert ticket.paused_at is None and ticket.paused_seconds == 3 * 3600
    cal = load_calendar()
    assert ticket.answer_due_at == sla.add_working_time(answer_due, dt.timedelta(hours=3), cal)
    assert ticket.at_risk_at == sla.add_working_time(at_risk, dt.timedelta(hours=3), cal)
    assert shown(ticket.answer_due_at) == "2025-01-16T12:00"


def test_recomputation_after_a_pause_keeps_the_paused_time(commune_officer, triage_user, make_ticket, db):
    ticket = make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    set_status(ticket, triage_user, Status.AWAITING_LOCALITY, local("2025-01-02T09:00"))
    set_status(ticket, triage_user, Status.NEW, local("2025-01-03T09:00"))  # one working day
    db.session.flush()
    triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="hoa_toc",
                  lead_unit=None, assignee=None, now=local("2025-01-03T10:00"))
    assert shown(ticket.answer_due_at) == "2025-01-06T09:00"  # 1 working day + 1 paused day


def test_answer_on_time_is_met_and_late_is_missed(commune_officer, triage_user, make_ticket, unit):
    for answered_at, expected in (("2025-01-03T09:00", "met"), ("2025-03-03T09:00", "missed")):
        ticket = make_ticket(commune_officer, now=local("2025-01-02T09:00"))
        set_status(ticket, triage_user, Status.ASSIGNED, local("2025-01-02T10:00"))
        set_status(ticket, triage_user, Status.IN_PROGRESS, local("2025-01-02T11:00"))
        set_status(ticket, triage_user, Status.ANSWERED, local(answered_at))
        assert ticket.sla_state == expected


def test_asking_after_the_answer_keeps_its_met_state(commune_officer, triage_user, make_ticket):
    ticket = make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    for status, at in ((Status.ASSIGNED, "2025-01-02T10:00"), (Status.IN_PROGRESS, "2025-01-02T11:00"),
                       (Status.ANSWERED, "2025-01-03T09:00"), (Status.AWAITING_LOCALITY, "2025-01-03T10:00"),
                       (Status.ANSWERED, "2025-03-03T09:00")):
        set_status(ticket, triage_user, status, local(at))
    assert ticket.sla_state == "met"


def test_reopening_brings_back_an_open_state(commune_officer, triage_user, make_ticket):
    ticket = make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    for status, at in ((Status.ASSIGNED, "2025-01-02T10:00"), (Status.IN_PROGRESS, "2025-01-02T11:00"),
                       (Status.ANSWERED, "2025-01-03T09:00"), (Status.IN_PROGRESS, "2025-03-03T09:00")):
        set_status(ticket, triage_user, status, local(at))
    assert ticket.sla_state == "breached"


def test_working_days_are_whole_days_of_the_calendars_office_hours(app):
    full_days = WorkingCalendar(zone=VN)
    mornings = WorkingCalendar(zone=VN, periods=parse_office_hours("08:00-12:00"))
    start = local("2025-03-03T10:00")  # a Monday
    assert shown(sla.add_working_days(start, 2, full_days)) == "2025-03-05T10:00"
    assert shown(sla.add_working_days(start, 2, mornings)) == "2025-03-05T10:00"
    assert shown(sla.add_working_time(start, dt.timedelta(hours=16), mornings)) == "2025-03-07T10:00"


def _triage_form(ticket, unit, **overrides):
    return {"version": ticket.version, "category": ticket.category.code, "urgency": "khan",
            "lead_unit": unit.code, "assignee": "", **overrides}


def test_triage_form_sets_an_explicit_deadline(client, login, triage_user, commune_officer, make_ticket, unit, db):
    ticket = make_ticket(commune_officer)
    day = (dt.datetime.now(VN) + dt.timedelta(days=20)).date()
    login(triage_user)
    response = client.post(f"/triage/{ticket.reference}", data=_triage_form(ticket, unit, due_date=day.isoformat()))
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert ticket.answer_due_at.astimezone(VN) == dt.datetime.combine(day, dt.time(17), tzinfo=VN)
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "do bộ phận phân loại ấn định" in page and f'value="{day:%d/%m/%Y}"' in page  # shown as people write it


def test_triage_form_refuses_a_bad_deadline_and_saves_nothing(client, login, triage_user, commune_officer,
                                                              make_ticket, unit, db):
    ticket = make_ticket(commune_officer)
    login(triage_user)
    for value, message in (("31/02/2026", "Nhập ngày hợp lệ"), ("ngày mai", "Nhập ngày hợp lệ"),
                           ("01/01/2001", "Hạn xử lý không được ở trong quá khứ")):
        response = client.post(f"/triage/{ticket.reference}", data=_triage_form(ticket, unit, due_date=value))
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.explicit_due_at is None and ticket.lead_unit_id is None and ticket.urgency == "thuong"
