"""The in-process side of `make bench`: the app on the seeded database, query counts, and the timed jobs.

Query counts come from app.test_client rather than the load run: counting inside gunicorn workers would
need hooks in the app, and the count of one steady-state request is what the ≤ 8 target is about.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import statistics
import sys
import time
from dataclasses import dataclass

import bench_scratch as scratch
from bench_http import BenchError, csrf_token
from bench_pages import HOAN_KIEM, PASSWORD, Page
from bench_seed import is_seeded, seed
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, select

from config import Config
from tracker import create_app, data_version
from tracker.accounts import issue_token
from tracker.extensions import db
from tracker.mail.digest_mail import enqueue_digests
from tracker.models import Locality, Ticket, User
from tracker.weeks import last_week
from tracker.worktime.sweep import sweep


def open_database(url: str, count: int, reuse: bool) -> Flask:
    """The app on the scratch database, migrated and seeded (kept when `reuse` finds a full seed of `count`)."""
    fresh = not (reuse and scratch.exists(url))
    if fresh:
        scratch.create(url)
    os.environ.update(scratch.app_env(url))
    app = create_app(Config())
    with app.app_context():
        upgrade()
        if not fresh and is_seeded(count):
            print(f"reusing the seeded database ({count:,} obstacles)", file=sys.stderr)
            return app
        if not fresh:  # another size or another seeder: start again from empty
            db.session.remove()
            db.engine.dispose()
            scratch.create(url)
            upgrade()
        print(f"seeding {count:,} obstacles on {db.engine.dialect.name} ...", file=sys.stderr)
        seed(count)
    return app


def sample_reference(count: int) -> str:
    """An in-progress obstacle of Phường Hoàn Kiếm: both its commune and the team may open it."""
    hoan_kiem = select(Locality.id).where(Locality.code == HOAN_KIEM).scalar_subquery()
    query = select(Ticket.reference).where(Ticket.id <= count).order_by(Ticket.id.desc()).limit(1)
    return (db.session.scalar(query.where(Ticket.locality_id == hoan_kiem, Ticket.status == "in_progress"))
            or db.session.scalar(query))


def issue_api_token(email: str) -> str:
    """What `flask users token EMAIL` does."""
    token = issue_token(db.session.scalar(select(User).where(User.email == email)))
    db.session.commit()
    return token


@contextlib.contextmanager
def counting_statements(app: Flask):
    """Every SQL statement the block runs, as the test suite counts them."""
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def logged_in_client(app: Flask, page: Page, token: str):
    """A test client logged in through the real form (or carrying the API token), and the request's extras."""
    client = app.test_client()
    if page.api:
        return client, {"headers": {"Authorization": f"Bearer {token}"}}
    login = csrf_token(client.get("/login").text)
    client.post("/login", data={"csrf_token": login, "email": page.email, "password": PASSWORD})
    if page.form:
        return client, {"data": {**page.form, "csrf_token": csrf_token(client.get(page.path).text)}}
    return client, {}


@dataclass
class PageCost:
    """A page in-process: statements and milliseconds of a steady-state request served from what the process
    keeps (`kept`: the load run's case, nothing written meanwhile), and of one made afresh, as after a write
    (what is keyed by the tickets' version forgotten before each, data_version.clear: the ≤ 8 statements target
    is about this one)."""

    kept_queries: int
    afresh_queries: int
    kept_ms: float
    afresh_ms: float


def page_cost(app: Flask, page: Page, token: str, runs: int = 10) -> PageCost:
    client, extras = logged_in_client(app, page, token)

    def request(fresh: bool) -> tuple[int, float]:
        if fresh:
            data_version.clear(reference=False)  # a write to tickets leaves the reference data's copies
        with counting_statements(app) as statements:
            began = time.perf_counter()
            response = client.open(page.path, method=page.method, **extras)
            spent = time.perf_counter() - began
        if response.status_code not in page.expected or "/login" in response.headers.get("Location", ""):
            raise BenchError(f"{page.name}: in-process {page.method} {page.path} answered {response.status_code}")
        return len(statements), spent * 1000

    request(False)  # per-process caches filled
    kept = [request(False) for _ in range(runs)]
    afresh = [request(True) for _ in range(runs)]
    return PageCost(kept[-1][0], afresh[-1][0], statistics.median(ms for _n, ms in kept),
                    statistics.median(ms for _n, ms in afresh))


@dataclass
class JobResult:
    seconds: float
    queries: int
    detail: str


def time_sweep(app: Flask, as_of: dt.datetime) -> JobResult:
    """The scheduled sweep five minutes after the seed's moment; rolled back so the data stays the seed."""
    with counting_statements(app) as statements:
        began = time.perf_counter()
        crossed = sweep(as_of + dt.timedelta(minutes=5))
        elapsed = time.perf_counter() - began
    db.session.rollback()
    return JobResult(elapsed, len(statements), f"{crossed} crossings recorded")


def time_digests(app: Flask, as_of: dt.datetime) -> JobResult:
    """Every weekly email of the week before the seed's moment: built, rendered and put in the outbox."""
    week = last_week(as_of)
    with counting_statements(app) as statements:
        began = time.perf_counter()
        run = enqueue_digests(week, now=as_of)
        elapsed = time.perf_counter() - began
    return JobResult(elapsed, len(statements), f"{run.enqueued} emails for {week.label}, {len(run.invalid)} invalid")
