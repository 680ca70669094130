"""The SLA sweep: crossings recorded once, notifications, escalation, concurrency, the scheduler job."""
import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from tracker.enums import Role, Status
from tracker.lifecycle import set_status
from tracker.models import Event, Notification, OutboxMessage, Ticket
from tracker.tickets import triage_ticket
from tracker.worktime import sweep as sla_sweep

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.fixture
def routed_ticket(commune_officer, triage_user, specialist, make_ticket, unit, db):
    """Hỏa tốc, filed Thu 2/1/2025 09:00: at risk at 2/1 16:00 (6 h of 8), breached at 3/1 09:00."""
    ticket = make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="hoa_toc",
                  lead_unit=unit, assignee=specialist, now=local("2025-01-02T09:30"))
    db.session.commit()
    return ticket


def sla_events(db, ticket):
    return db.session.scalars(select(Event).where(Event.ticket_id == ticket.id, Event.kind == "sla")
                              .order_by(Event.id)).all()


def test_nothing_crosses_before_the_threshold(routed_ticket, db):
    assert sla_sweep.sweep(local("2025-01-02T15:59")) == 0
    assert routed_ticket.sla_state == "on_track"


def test_at_risk_is_recorded_once_and_notifies_the_assignee(routed_ticket, specialist, db):
    assert sla_sweep.sweep(local("2025-01-02T16:00")) == 1
    assert sla_sweep.sweep(local("2025-01-02T16:30")) == 0
    db.session.commit()
    db.session.refresh(routed_ticket)
    assert routed_ticket.sla_state == "at_risk"
    assert [(e.old_value, e.new_value) for e in sla_events(db, routed_ticket)] == [("on_track", "at_risk")]
    [note] = db.session.scalars(select(Notification).where(Notification.kind.in_(("at_risk", "breached")))).all()
    assert (note.kind, note.user_id, note.ticket_id, note.deadline) == ("at_risk", specialist.id, routed_ticket.id,
                                                                         "sla_state")
    assert note.email_due_at == local("2025-01-02T16:00")  # owed at once: the next batch carries it
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.key.like("alerts:%"))) == 0  # never one email per crossing


def test_breach_escalates_to_the_unit_head_and_team_leads(routed_ticket, make_user, unit, db):
    head = make_user(Role.SPECIALIST, unit=unit, is_unit_head=True)
    lead = make_user(Role.LEAD)
    make_user(Role.LEAD, active=False)
    make_user(Role.SPECIALIST, unit=unit)  # not the head: not told
    assert sla_sweep.sweep(local("2025-01-03T10:00")) == 1  # straight past at-risk to breached
    db.session.commit()
    db.session.refresh(routed_ticket)
    assert routed_ticket.sla_state == "breached"
    told = set(db.session.execute(select(Notification.user_id, Notification.kind)
                                  .where(Notification.kind.in_(("at_risk", "breached")))))
    assert told == {(head.id, "breached"), (lead.id, "breached")}


def test_paused_tickets_are_not_swept(routed_ticket, triage_user, db):
    set_status(routed_ticket, triage_user, Status.AWAITING_LOCALITY, local("2025-01-02T10:00"))
    db.session.commit()
    assert sla_sweep.sweep(local("2025-01-10T10:00")) == 0


def test_answered_tickets_are_not_swept(routed_ticket, triage_user, db):
    set_status(routed_ticket, triage_user, Status.IN_PROGRESS, local("2025-01-02T10:00"))
    set_status(routed_ticket, triage_user, Status.ANSWERED, local("2025-01-02T11:00"))
    db.session.commit()
    assert sla_sweep.sweep(local("2025-01-10T10:00")) == 0
    assert routed_ticket.sla_state == "met"


def test_a_crossing_already_recorded_elsewhere_is_not_recorded_again(routed_ticket, db):
    """Compare-and-set: a sweep that read the old state loses to one that already moved it."""
    ticket = sla_sweep.due_for_sweep(local("2025-01-02T16:00"))[0]
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id).values(sla_state="at_risk")
                       .execution_options(synchronize_session=False))
    assert ticket.sla_state == "on_track"  # the stale read
    assert sla_sweep._cross(ticket, local("2025-01-02T16:00")) == 0
    assert sla_events(db, ticket) == []


def run_twice_at_once(app, job):
    """Start `job` in two threads released together; returns both results, fails on any error."""
    barrier, results, errors = threading.Barrier(2), [], []

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                results.append(job())
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def test_two_concurrent_sweeps_record_each_crossing_once(app, routed_ticket, commune_officer, make_ticket, db,
                                                         monkeypatch):
    for _ in range(5):
        make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    monkeypatch.setattr(sla_sweep, "utcnow", lambda: local("2025-03-03T10:00"))
    results = run_twice_at_once(app, sla_sweep.run_sweep_locked)
    db.session.expire_all()
    counted = db.session.execute(select(Event.ticket_id, Event.field, func.count()).where(Event.kind == "sla")
                                 .group_by(Event.ticket_id, Event.field)).all()
    # Six answers breached; the five obstacles never routed also breached their first response.
    assert len(counted) == 11 and all(n == 1 for *_, n in counted)
    assert sum(r or 0 for r in results) == 11


def test_sweep_command_runs_once(app, routed_ticket, db, monkeypatch):
    monkeypatch.setattr(sla_sweep, "utcnow", lambda: local("2025-01-03T10:00"))
    result = app.test_cli_runner().invoke(args=["sla", "sweep"])
    assert result.exit_code == 0 and "1 crossing" in result.output
    db.session.refresh(routed_ticket)
    assert routed_ticket.sla_state == "breached"


def test_scheduler_command_registers_the_sweep_every_five_minutes(app, monkeypatch):
    from apscheduler.schedulers.blocking import BlockingScheduler

    built = []
    monkeypatch.setattr(BlockingScheduler, "start", lambda self, *a, **k: built.append(self))
    monkeypatch.setitem(app.config, "SCHEDULER_ENABLED", True)
    result = app.test_cli_runner().invoke(args=["scheduler"])
    assert result.exit_code == 0, result.output
    job = built[0].get_job("sla_sweep")
    assert job is not None and job.trigger.interval == dt.timedelta(minutes=5)


def test_compare_and_set_alone_keeps_crossings_single_under_real_concurrency(app, routed_ticket, commune_officer,
                                                                           make_ticket, db, monkeypatch):
    """Even two sweeps that skip the lease (PostgreSQL row locks + compare-and-set) record each crossing once."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; there the lease is what keeps sweeps apart")
    for _ in range(5):
        make_ticket(commune_officer, now=local("2025-01-02T09:00"))
    monkeypatch.setattr(sla_sweep, "utcnow", lambda: local("2025-03-03T10:00"))
    results = run_twice_at_once(app, sla_sweep.run_sweep)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.kind == "sla")) == 11
    assert sum(results) == 11
