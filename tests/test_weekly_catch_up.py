"""The weekly report catches up: a Monday missed while the scheduler was down is sent at its next start (or
its next half-hourly check), once; running again sends nothing new."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tracker import jobs
from tracker.enums import Role
from tracker.mail import digest_mail
from tracker.models import OutboxMessage

from .test_sla_sweep import run_twice_at_once

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.datetime(2026, 3, 9, 7, 30, tzinfo=VN)  # week 2026-W11 begins; the report is of 2026-W10


@pytest.fixture
def recipients(make_user, make_ticket, commune_officer):
    make_ticket(commune_officer, now=dt.datetime(2026, 3, 3, 9, tzinfo=VN))
    return [make_user(Role.LEAD), make_user(Role.TRIAGE)]


def digests(db):
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("digest:%"))
                              .order_by(OutboxMessage.key)).all()


def test_a_missed_monday_is_sent_at_the_next_check_and_only_once(db, recipients, smtp_server, commune_officer):
    wednesday = MONDAY + dt.timedelta(days=2, hours=3)
    run = digest_mail.catch_up_weekly_digest(wednesday)
    assert run.week.label == "2026-W10" and run.enqueued == 3  # the lead, triage and the commune
    assert sorted(smtp_server.keys()) == digests(db)
    assert digest_mail.catch_up_weekly_digest(wednesday + dt.timedelta(minutes=30)) is None
    assert len(digests(db)) == 3 and len(smtp_server.envelopes) == 3


def test_nothing_is_caught_up_before_monday_0730(db, recipients):
    assert digest_mail.catch_up_weekly_digest(MONDAY - dt.timedelta(minutes=1)) is None
    assert digests(db) == []
    assert digest_mail.catch_up_weekly_digest(MONDAY).enqueued == 3


def test_after_the_monday_run_the_check_sends_nothing(db, recipients, monkeypatch):
    monkeypatch.setattr(digest_mail, "utcnow", lambda: MONDAY)
    digest_mail.weekly_digest_job()
    before = digests(db)
    assert digest_mail.catch_up_weekly_digest(MONDAY + dt.timedelta(hours=2)) is None
    assert digests(db) == before and len(before) == 3


def test_the_scheduler_runs_the_catch_up_as_it_starts(app, monkeypatch):
    from apscheduler.schedulers.blocking import BlockingScheduler

    built = []
    monkeypatch.setattr(BlockingScheduler, "start", lambda self, *a, **k: built.append(self))
    monkeypatch.setitem(app.config, "SCHEDULER_ENABLED", True)
    assert app.test_cli_runner().invoke(args=["scheduler"]).exit_code == 0
    catch_up = built[0].get_job("weekly_digest_catch_up")
    assert abs(catch_up.next_run_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert catch_up.trigger.interval == dt.timedelta(minutes=30)
    weekly = {job.name: job for job in jobs.job_list()}
    assert weekly["weekly_digest_catch_up"].lock_name == weekly["weekly_digest"].lock_name


def test_the_monday_run_and_a_catch_up_at_once_send_each_report_once(app, db, recipients, monkeypatch):
    monkeypatch.setattr(digest_mail, "utcnow", lambda: MONDAY + dt.timedelta(seconds=5))
    by_name = {job.name: job for job in jobs.job_list()}
    pair = iter([by_name["weekly_digest"], by_name["weekly_digest_catch_up"]])
    run_twice_at_once(app, lambda: jobs.run_locked(app, next(pair)))
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.key.like("digest:2026-W10:%"))) == 3
