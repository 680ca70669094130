"""The scheduled jobs, declared as a list, and the scheduler process that runs them.

The scheduler runs as its own process (`flask --app app scheduler`), never inside create_app, so web
workers do not each start one. Every run takes a database lease first, so a second scheduler skips.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app

from . import locks, workflow
from .alerts.batching import run_alert_emails
from .mail.delivery import deliver_outbox_job
from .mail.digest_mail import WEEKLY_AT, catch_up_weekly_digest, weekly_digest_job
from .maintenance import refresh_planner_statistics
from .worktime.sweep import run_sweep

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], object]
    trigger: str  # "interval" or "cron"
    trigger_args: dict = field(default_factory=dict)
    lease: dt.timedelta = dt.timedelta(minutes=10)
    lock: str | None = None  # the lease's name, when jobs share one (default: the job's name)
    at_start: bool = False  # also run as soon as the scheduler starts

    @property
    def lock_name(self) -> str:
        return f"job:{self.lock or self.name}"


def job_list() -> list[Job]:
    """Every scheduled job, declaratively."""
    return [
        Job("sla_sweep", run_sweep, "interval", {"minutes": 5}),
        # Gathers each person's owed alerts into one email per window (ALERT_WINDOW_MINUTES).
        Job("alert_emails", run_alert_emails, "interval", {"minutes": 5}),
        Job("close_unconfirmed_answers", workflow.run_auto_close, "interval", {"hours": 1}),
        Job("outbox_delivery", deliver_outbox_job, "interval", {"minutes": 1}),
        # Cron times are in the scheduler's time zone: the configured TIMEZONE (Asia/Ho_Chi_Minh).
        Job("weekly_digest", weekly_digest_job, "cron", WEEKLY_AT, lease=dt.timedelta(hours=1)),
        # A Monday missed while the scheduler was down is sent at its next start (or within the half hour).
        Job("weekly_digest_catch_up", catch_up_weekly_digest, "interval", {"minutes": 30},
            lease=dt.timedelta(hours=1), lock="weekly_digest", at_start=True),
        # SQLite's planner statistics (maintenance.py), at start and nightly; nothing on PostgreSQL.
        Job("planner_statistics", refresh_planner_statistics, "cron", {"hour": 2, "minute": 15}, at_start=True),
    ]


def run_locked(app: Flask, job: Job) -> None:
    """Run one job inside an app context, only where the lease is ours; a failure never kills the loop."""
    with app.app_context():
        try:
            with locks.held(job.lock_name, job.lease) as got:
                if got:
                    job.func()
                else:
                    log.info("job %s skipped: another process holds it", job.name)
        except Exception:
            log.exception("job %s failed", job.name)


def run_scheduler(app: Flask) -> None:
    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])
    for job in job_list():
        start = {"next_run_time": dt.datetime.now(dt.UTC)} if job.at_start else {}
        scheduler.add_job(run_locked, job.trigger, args=[app, job], id=job.name, max_instances=1,
                          coalesce=True, misfire_grace_time=300, **job.trigger_args, **start)
    log.info("scheduler started with %d jobs", len(scheduler.get_jobs()))
    scheduler.start()


@click.command("scheduler")
def scheduler_command():
    """Run the scheduled jobs (a separate process; one is enough, more are safe)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not current_app.config["SCHEDULER_ENABLED"]:
        click.echo("SCHEDULER_ENABLED is off: not starting the scheduler.")
        return
    run_scheduler(current_app._get_current_object())
