"""`make bench-profile`: where each page's time goes, in-process on the benchmark's seeded database.

For each page (BENCH_PAGES filters, as for make bench): time per request split into SQL (cursor time),
template rendering (minus the SQL run while rendering) and the rest (Flask, forms, ORM); the slowest
statements with their plan (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite); and a
pyinstrument profile, its full tree written to /tmp/bench-profile-<page>.txt.

Run it after `BENCH_REUSE=1 make bench` with the same BENCH_TICKETS and BENCH_DATABASE_URL: it reuses
that database (and seeds one, kept, when there is none).
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import bench_scratch as scratch
from bench_pages import TRIAGE, Page, main_pages

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the app's modules (config, tracker) are imported by bench_app, after this
COUNT = int(os.environ.get("BENCH_TICKETS", "200000"))
REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "20"))
ONLY = {name.strip() for name in os.environ.get("BENCH_PAGES", "").split(",") if name.strip()}


@dataclass
class Timings:
    """Seconds spent per kind of work over the profiled requests, and each statement's durations."""

    total: float = 0.0
    sql: float = 0.0
    render: float = 0.0
    sql_in_render: float = 0.0
    statements: dict[str, list[tuple[float, object]]] = field(default_factory=lambda: defaultdict(list))


@contextlib.contextmanager
def timing(app, timings: Timings):
    """Cursor time of every statement (with its parameters, for EXPLAIN) and the top-level template renders."""
    from flask import before_render_template, template_rendered
    from sqlalchemy import event

    from tracker.extensions import db

    state = {"depth": 0}

    def before_cursor(conn, _cursor, statement, parameters, _context, _many):
        conn.info["bench_began"] = time.perf_counter()

    def after_cursor(conn, _cursor, statement, parameters, _context, _many):
        spent = time.perf_counter() - conn.info.pop("bench_began")
        timings.sql += spent
        timings.sql_in_render += spent if state["depth"] else 0.0
        timings.statements[statement].append((spent, parameters))

    def render_began(_app, **_extra):
        state["depth"] += 1
        if state["depth"] == 1:
            state["render_began"] = time.perf_counter()

    def render_done(_app, **_extra):
        state["depth"] -= 1
        if state["depth"] == 0:
            timings.render += time.perf_counter() - state["render_began"]

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before_cursor)
    event.listen(engine, "after_cursor_execute", after_cursor)
    before_render_template.connect(render_began, app)
    template_rendered.connect(render_done, app)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor)
        event.remove(engine, "after_cursor_execute", after_cursor)
        before_render_template.disconnect(render_began, app)
        template_rendered.disconnect(render_done, app)


def send(client, page: Page, extras: dict) -> None:
    response = client.open(page.path, method=page.method, **extras)
    if response.status_code not in page.expected:
        raise SystemExit(f"{page.name}: {page.method} {page.path} answered {response.status_code}")


def measure(app, page: Page, token: str) -> Timings:
    import bench_app

    client, extras = bench_app.logged_in_client(app, page, token)
    for _ in range(2):
        send(client, page, extras)  # warm: templates compiled, caches filled
    timings = Timings()
    with timing(app, timings):
        began = time.perf_counter()
        for _ in range(REQUESTS):
            send(client, page, extras)
        timings.total = time.perf_counter() - began
    return timings


# Self time is charged to the first matching kind; C calls (the database's own work) show up as the self
# time of the Python frame that made them, hence the driver-calling SQLAlchemy functions as a kind of their own.
KINDS = (
    ("database (execute, fetch)", ("do_execute", "do_executemany", "_fetchall_impl", "_fetchone_impl",
                                   "_fetchmany_impl", "fetchall", "fetchone", "fetchmany", "sqlite3", "psycopg")),
    ("Babel (translations, dates)", ("/babel/", "flask_babel")),
    ("markupsafe (escaping)", ("markupsafe",)),
    ("WTForms", ("wtforms", "flask_wtf")),
    ("Jinja (templates)", ("jinja2", "/templates/")),
    ("SQLAlchemy (ORM, Core)", ("sqlalchemy",)),
    ("Flask, Werkzeug, Flask-Login", ("werkzeug", "/flask/", "flask_login", "itsdangerous")),
    ("tracker (app code)", ("/tracker/",)),
)


def kind_of(frame, parent_kind: str) -> str:
    where = f"{frame.file_path or ''}:{frame.function or ''}"
    for kind, needles in KINDS:
        if any(needle in where for needle in needles):
            return kind
    built_in = (frame.file_path or "<").startswith("<")  # C calls and [self] belong to their caller
    return parent_kind if built_in or frame.is_synthetic else "other (stdlib)"


def self_time_by_kind(root) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    stack = [(root, "other (stdlib)")]
    while stack:
        frame, parent_kind = stack.pop()
        kind = kind_of(frame, parent_kind)
        totals[kind] += frame.time - sum(child.time for child in frame.children)
        stack.extend((child, kind) for child in frame.children)
    return totals


def profile(app, page: Page, token: str) -> tuple[str, dict[str, float]]:
    """pyinstrument over REQUESTS requests: its tree written to a file, and self time by kind of work."""
    import bench_app
    from pyinstrument import Profiler

    client, extras = bench_app.logged_in_client(app, page, token)
    send(client, page, extras)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(REQUESTS):
            send(client, page, extras)
    path = Path(tempfile.gettempdir()) / f"bench-profile-{page.name}.txt"
    path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    return str(path), self_time_by_kind(profiler.last_session.root_frame())


def replay(app, statement: str, parameters, prefix: str = "") -> tuple[float, list]:
    """Run one captured statement again on a raw cursor (execute and fetch all, as SQLite works lazily)."""
    from tracker.extensions import db

    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            began = time.perf_counter()
            cursor.execute(prefix + statement, parameters)
            rows = cursor.fetchall()
            return time.perf_counter() - began, rows
        finally:
            connection.rollback()
            connection.close()


def explain(app, statement: str, parameters) -> str:
    """The plan of one captured statement, with its own parameters."""
    from tracker.extensions import db

    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    _spent, rows = replay(app, statement, parameters, prefix)
    return "\n".join("      " + " | ".join(str(c) for c in row) for row in rows)


def slowest_selects(app, timings: Timings, top: int = 3) -> list[tuple[float, str, object]]:
    """The page's SELECTs by their own cost (best of three replays), dearest first."""
    costs = []
    for statement, runs in timings.statements.items():
        if statement.lstrip().upper().startswith("SELECT"):
            best = min(replay(app, statement, runs[-1][1])[0] for _ in range(3))
            costs.append((best * len(runs) / REQUESTS, statement, runs[-1][1]))
    return sorted(costs, key=lambda cost: -cost[0])[:top]


def report(app, page: Page, timings: Timings, profiled: tuple[str, dict[str, float]]) -> None:
    per = 1000 / REQUESTS
    render_only = timings.render - timings.sql_in_render
    other = timings.total - timings.sql - render_only
    share = (lambda part: f"{100 * part / timings.total:4.0f} %") if timings.total else (lambda part: "—")
    print(f"\n## {page.name}: {page.method} {page.path} ({page.email}) — {timings.total * per:.1f} ms per request")
    print(f"   SQL (cursor)      {timings.sql * per:7.1f} ms  {share(timings.sql)}  "
          f"({sum(len(v) for v in timings.statements.values()) // REQUESTS} statements)")
    print(f"   Jinja rendering   {render_only * per:7.1f} ms  {share(render_only)}")
    print(f"   Flask, ORM, forms {other * per:7.1f} ms  {share(other)}")
    path, kinds = profiled
    profiled_total = sum(kinds.values()) or 1.0
    print("   pyinstrument self time by kind: " + ", ".join(
        f"{kind} {100 * spent / profiled_total:.0f} %" for kind, spent in sorted(kinds.items(), key=lambda kv: -kv[1])
        if spent / profiled_total >= 0.02))
    if page.method == "GET":
        for rank, (cost, statement, parameters) in enumerate(slowest_selects(app, timings), start=1):
            shown = " ".join(statement.split())[:300]
            print(f"   SELECT #{rank}: {cost * 1000:.2f} ms per request (replayed): {shown}")
            if rank == 1:
                print(explain(app, statement, parameters))
    print(f"   pyinstrument tree: {path}")


def main() -> int:
    import bench_app
    import bench_seed

    url = os.environ.get("BENCH_DATABASE_URL") or scratch.default_url(COUNT)
    app = bench_app.open_database(url, COUNT, reuse=True)
    from tracker.process import tune_garbage_collector
    tune_garbage_collector()  # as app.py does for a gunicorn worker
    with app.app_context():
        token = bench_app.issue_api_token(TRIAGE)
        pages = [p for p in main_pages(bench_app.sample_reference(COUNT)) if not ONLY or p.name in ONLY]
        dialect = bench_app.db.engine.dialect.name
    print(f"# profile: {COUNT:,} obstacles on {dialect}, {REQUESTS} requests per page, in-process")
    for page in pages:
        report(app, page, measure(app, page, token), profile(app, page, token))
    with app.app_context():
        bench_seed.reset_after_run(COUNT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
