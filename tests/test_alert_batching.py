"""Deadline alerts by email: one email per person per window, every crossing in exactly one of them, the
lead's summary once a day, safe when jobs overlap."""
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tracker.alerts import batching
from tracker.enums import Role
from tracker.mail import delivery
from tracker.models import Category, Notification, NotificationPreference, OutboxMessage, Ticket
from tracker.worktime import sweep as sla_sweep

from .test_sla_sweep import run_twice_at_once

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2025, 3, 4, 10, 0, tzinfo=VN)  # a Tuesday
NEXT_MORNING = dt.datetime(2025, 3, 5, 7, 0, tzinfo=VN)
_seq = itertools.count(1)


def minutes(n):
    return NOW + dt.timedelta(minutes=n)


@pytest.fixture
def team(make_user, unit):
    return {
        "assignee": make_user(Role.SPECIALIST, unit=unit, name="Chuyên viên A"),
        "head": make_user(Role.SPECIALIST, unit=unit, is_unit_head=True, name="Vụ trưởng"),
        "lead": make_user(Role.LEAD, name="Tổ trưởng"),
        "triage": make_user(Role.TRIAGE, name="Phân loại"),
    }


@pytest.fixture
def seed(db, commune_officer, hoan_kiem):
    """Bulk obstacles (no history, no email) whose deadlines are set by hand: hundreds in a blink."""
    category = db.session.scalar(select(Category).where(Category.code == "bien_che"))

    def make(n, *, unit=None, assignee=None, at_risk, due, filed=dt.datetime(2025, 2, 3, 9, 0, tzinfo=VN),
             first_response_due=None, title="Vướng mắc về biên chế"):
        tickets = []
        for i in range(n):
            seq = next(_seq)
            tickets.append(Ticket(
                reference=f"PUN-2025-{seq:06d}", year=2025, seq=seq, locality_id=hoan_kiem.id,
                province_id=hoan_kiem.parent_id, created_by_id=commune_officer.id, category_id=category.id,
                title=f"{title} {seq}", description="Đề nghị hướng dẫn.", status="assigned" if unit else "new",
                lead_unit_id=unit.id if unit else None, assignee_id=assignee.id if assignee else None,
                created_at=filed + dt.timedelta(minutes=i), updated_at=filed,
                first_responded_at=filed if unit else None, first_response_state="met" if unit else "on_track",
                first_response_due_at=first_response_due or filed + dt.timedelta(days=2),
                first_response_at_risk_at=first_response_due or filed + dt.timedelta(days=1),
                at_risk_at=at_risk, answer_due_at=due))
        db.session.add_all(tickets)
        db.session.commit()
        return tickets

    return make


def alert_emails(db):
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.key.like("alerts:%"))
                              .order_by(OutboxMessage.id)).all()


def owed(db):
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.email_due_at.is_not(None)))


def test_hundreds_of_crossings_make_one_email_per_person_and_one_summary_for_the_lead(db, seed, team, unit):
    seed(250, unit=unit, assignee=team["assignee"], at_risk=minutes(-600), due=minutes(-60))  # overdue
    seed(50, unit=unit, assignee=team["assignee"], at_risk=minutes(-30), due=minutes(600))  # due soon
    seed(40, at_risk=minutes(600), due=minutes(6000), first_response_due=minutes(-5))  # never routed
    assert sla_sweep.sweep(NOW) == 340
    db.session.commit()
    run = batching.send_due_alerts(NOW)
    emails = alert_emails(db)
    assert sorted(m.recipient for m in emails) == sorted(team[k].email for k in ("head", "assignee", "triage"))
    assert run.emails == 3 and run.notifications == 250 + 50 + 40
    head_mail = next(m for m in emails if m.recipient == team["head"].email)
    assert "Quá hạn: 250" in head_mail.subject
    assert head_mail.body_text.count("\n- PUN-") == batching.SECTION_LIMIT  # the rest is one click away:
    assert "… và 50 kiến nghị khác: http://tracker.test/notifications" in head_mail.body_text
    assert batching.send_due_alerts(minutes(30)).emails == 0  # nothing twice
    assert batching.send_due_alerts(NEXT_MORNING).emails == 1  # the lead's one summary of the day
    lead_mail = alert_emails(db)[-1]
    assert lead_mail.recipient == team["lead"].email and "Quá hạn: 290" in lead_mail.subject
    assert owed(db) == 0
    carried = db.session.execute(select(Notification.email_key, func.count()).group_by(Notification.email_key)
                                 .where(Notification.kind.in_(("at_risk", "breached")))).all()
    assert sorted(n for _, n in carried) == [40, 50, 250, 290]  # each crossing in exactly one email


def test_nothing_is_lost_between_two_batches(db, seed, team, unit):
    first, = seed(1, unit=unit, assignee=team["assignee"], at_risk=minutes(5), due=minutes(600))
    second, = seed(1, unit=unit, assignee=team["assignee"], at_risk=minutes(20), due=minutes(600))
    sla_sweep.sweep(minutes(5))
    db.session.commit()
    assert batching.send_due_alerts(minutes(5)).emails == 1
    sla_sweep.sweep(minutes(20))
    db.session.commit()
    run = batching.send_due_alerts(minutes(20))
    assert (run.emails, run.waiting) == (0, [team["assignee"].id])  # this hour's email has left: it waits
    assert batching.send_due_alerts(minutes(59)).emails == 0
    assert batching.send_due_alerts(minutes(60)).emails == 1
    early, late = alert_emails(db)
    assert first.reference in early.body_text and second.reference not in early.body_text
    assert second.reference in late.body_text and first.reference not in late.body_text
    assert owed(db) == 0


def test_the_window_is_configurable(app, db, seed, team, unit, monkeypatch):
    monkeypatch.setitem(app.config, "ALERT_WINDOW_MINUTES", 15)
    seed(1, unit=unit, assignee=team["assignee"], at_risk=minutes(5), due=minutes(600))
    seed(1, unit=unit, assignee=team["assignee"], at_risk=minutes(20), due=minutes(600))
    for moment in (minutes(5), minutes(20)):
        sla_sweep.sweep(moment)
        db.session.commit()
        assert batching.send_due_alerts(moment).emails == 1


def test_the_email_groups_by_state_and_unit_oldest_first_with_links(db, seed, team, unit, make_user):
    other = db.session.scalar(select(type(unit)).where(type(unit).code == "bo_tai_chinh"))
    db.session.add(NotificationPreference(user_id=team["lead"].id, kind="breached", delivery="immediate"))
    newer, older = (seed(1, unit=unit, at_risk=minutes(-90), due=minutes(-60), filed=filed)[0]
                    for filed in (dt.datetime(2025, 2, 10, 9, tzinfo=VN), dt.datetime(2025, 2, 3, 9, tzinfo=VN)))
    finance, = seed(1, unit=other, at_risk=minutes(-90), due=minutes(-60))
    soon, = seed(1, unit=unit, at_risk=minutes(-10), due=minutes(600))
    make_user(Role.SPECIALIST, unit=other, is_unit_head=True)
    sla_sweep.sweep(NOW)
    db.session.commit()
    batching.send_due_alerts(NOW)
    [mail] = [m for m in alert_emails(db) if m.recipient == team["lead"].email]
    text = mail.body_text
    order = [text.index(s) for s in ("== Quá hạn (3) ==", "Đơn vị chủ trì: Bộ Nội vụ – Vụ Tổ chức", older.reference,
                                     newer.reference, "Đơn vị chủ trì: Bộ Tài chính", finance.reference)]
    assert order == sorted(order)
    head_text = next(m for m in alert_emails(db) if m.recipient == team["head"].email).body_text
    assert head_text.index("== Quá hạn (2) ==") < head_text.index("== Sắp đến hạn (1) ==") < head_text.index(
        soon.reference)
    assert f"http://tracker.test/tickets/{older.reference}" in text
    assert f'href="http://tracker.test/tickets/{older.reference}"' in mail.body_html
    assert mail.subject.startswith("Thông báo lúc 04/03/2025 10:00")


def test_an_alert_email_arrives_with_its_subject_intact(db, seed, team, unit, smtp_server):
    seed(3, unit=unit, assignee=team["assignee"], at_risk=minutes(-30), due=minutes(-5))
    seed(3, unit=unit, assignee=team["assignee"], at_risk=minutes(-30), due=minutes(600))
    sla_sweep.sweep(NOW)
    db.session.commit()
    batching.send_due_alerts(NOW)
    assert delivery.deliver_due().sent == 2
    received = {m["To"]: m["Subject"] for m in smtp_server.messages}
    assert received == {m.recipient: m.subject for m in alert_emails(db)}
    assert "Quá hạn: 3" in received[team["head"].email]


def test_an_inactive_recipient_is_not_emailed_and_owes_nothing(db, seed, team, unit):
    seed(2, unit=unit, assignee=team["assignee"], at_risk=minutes(-30), due=minutes(600))
    sla_sweep.sweep(NOW)
    team["assignee"].active = False
    db.session.commit()
    assert batching.send_due_alerts(NOW).emails == 0
    assert owed(db) == 0 and alert_emails(db) == []
    notes = db.session.scalars(select(Notification).where(Notification.user_id == team["assignee"].id)).all()
    assert notes and all(n.email_key is None and n.emailed_at is None for n in notes)


def test_a_daily_summary_waits_for_the_next_working_morning(db, seed, team, unit):
    friday = dt.datetime(2025, 3, 7, 15, 0, tzinfo=VN)
    seed(1, unit=unit, at_risk=friday - dt.timedelta(hours=1), due=friday - dt.timedelta(minutes=1))
    sla_sweep.sweep(friday)
    db.session.commit()
    [lead_note] = db.session.scalars(select(Notification).where(Notification.user_id == team["lead"].id)).all()
    assert lead_note.email_due_at == dt.datetime(2025, 3, 10, 7, 0, tzinfo=VN)  # Monday, not Saturday


def test_two_jobs_at_once_send_each_person_one_email(app, db, seed, team, unit):
    seed(30, unit=unit, assignee=team["assignee"], at_risk=minutes(-30), due=minutes(-5))
    seed(30, unit=unit, assignee=team["assignee"], at_risk=minutes(-30), due=minutes(600))
    sla_sweep.sweep(NOW)
    db.session.commit()
    results = run_twice_at_once(app, lambda: batching.send_due_alerts(NOW))
    assert sum(r.emails for r in results) == 2
    assert sorted(m.recipient for m in alert_emails(db)) == sorted([team["head"].email, team["assignee"].email])
    assert owed(db) == 30  # the lead's daily summary, not yet due


def test_a_sweep_and_a_job_at_once_lose_nothing_and_send_nothing_twice(app, db, seed, team, unit, monkeypatch):
    """The batch may start before, during or after the sweep's commit; the next window takes the rest."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; PostgreSQL runs both at once for real")
    seed(60, unit=unit, assignee=team["assignee"], at_risk=minutes(-30), due=minutes(-5))
    monkeypatch.setattr(sla_sweep, "utcnow", lambda: NOW)
    barrier = iter([sla_sweep.run_sweep, lambda: batching.send_due_alerts(NOW)])
    run_twice_at_once(app, lambda: next(barrier)())
    batching.send_due_alerts(minutes(60))
    batching.send_due_alerts(NEXT_MORNING)
    db.session.expire_all()
    crossings = db.session.scalars(select(Notification).where(Notification.kind.in_(("at_risk", "breached")))).all()
    assert len(crossings) == 60 * 2 and all(n.email_key for n in crossings)  # breached: the head and the lead
    emails = {m.key: m for m in alert_emails(db)}
    for note in crossings:  # each crossing in the one email of its person that names it
        assert emails[note.email_key].recipient == note.user.email
        assert note.ticket.reference in emails[note.email_key].body_text
    assert len(emails) == len({(m.recipient, m.key.split(":user:")[0]) for m in emails.values()})



def test_an_obstacle_past_both_deadlines_is_one_row_naming_both(db, seed, team):
    both, = seed(1, at_risk=minutes(-90), due=minutes(-60), first_response_due=minutes(-600))
    sla_sweep.sweep(NOW)
    db.session.commit()
    batching.send_due_alerts(NOW)
    [mail] = alert_emails(db)
    assert mail.recipient == team["triage"].email and "Quá hạn: 1" in mail.subject
    [row] = [line for line in mail.body_text.splitlines() if both.reference in line and line.startswith("- ")]
    assert "Hạn phản hồi đầu tiên: 04/03/2025 00:00 · Hạn trả lời: 04/03/2025 09:00" in row
