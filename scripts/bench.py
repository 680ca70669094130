"""`make bench`: what users feel at scale — each main page under load, beside a hello world, plus the jobs.

1. Seeds BENCH_TICKETS obstacles (default 200000) into BENCH_DATABASE_URL (default: a scratch SQLite file;
   postgresql://.../<name with "bench"> is created and dropped, or kept and reused with BENCH_REUSE=1).
2. Serves the app and a hello-world app under gunicorn (2 sync workers) and loads each page with wrk,
   8 connections for BENCH_SECONDS (default 10) each, logged in through the real /login form.
3. Counts each page's SQL statements and times it in-process, both as the load run serves it (from what the
   process keeps: nothing is written meanwhile) and made afresh, as after a write (the kept data versions
   cleared before each request); the ≤ 8 statements target applies to the afresh one. Times the SLA sweep
   and the weekly digests.
4. Prints PASS/FAIL per line against the targets of issue 14 and exits non-zero when one fails. Each run keeps
   its pages' shares and afresh costs in instance/bench-<database>-<size>.json; a PostgreSQL run compares each
   page's share with the last SQLite run's on the machine ("<page> vs sq": PostgreSQL no slower than SQLite by
   more than 20 %), and a run above 10,000 obstacles compares each page with the same database's last run at
   10,000 ("<page> vs 10k": its share and its cost afresh within 20 %; run BENCH_TICKETS=10000 first).

BENCH_PAGES=tickets,search,... (names as printed; also `sweep`, `digests`) runs a subset. Where a page's time
goes: `make bench-profile` (scripts/bench_profile.py) on the same database, kept with BENCH_REUSE=1.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import bench_scratch as scratch
from bench_http import BenchError, Load, Server, Visitor, csrf_token, log_in, request, require_wrk, run_wrk
from bench_pages import PASSWORD, TRIAGE, Page, main_pages

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the app's modules (config, tracker) are imported by bench_app, after this
COUNT = int(os.environ.get("BENCH_TICKETS", "200000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
REUSE = os.environ.get("BENCH_REUSE") == "1"
ONLY = {name.strip() for name in os.environ.get("BENCH_PAGES", "").split(",") if name.strip()}
READ_SHARE, WRITE_SHARE, P99_MS, MAX_QUERIES = 0.10, 0.05, 50.0, 8
SWEEP_SECONDS, DIGEST_SECONDS, DIGEST_QUERIES = 1.0, 30.0, 50
PG_VS_SQLITE = 0.80  # PostgreSQL's share of hello world at least this part of SQLite's, page by page
SCALE_BASE, SCALE_COST = 10_000, 1.20  # a page's cost at BENCH_TICKETS at most 1.2 × its cost at 10,000
RESULTS = ROOT / "instance"  # each database's and size's last results, for those comparisons


def wanted(name: str) -> bool:
    return not ONLY or name in ONLY


# --- verdicts -----------------------------------------------------------------------------------------------

@dataclass
class Line:
    """One printed result line with its verdict; an empty `failures` list is a PASS."""

    name: str
    cells: list[str]
    failures: list[str] = field(default_factory=list)
    share: float | None = None  # a page's share of hello world (compared across databases and sizes)
    afresh_ms: float | None = None  # in-process, made afresh (compared across sizes)

    def render(self) -> str:
        verdict = "PASS" if not self.failures else "FAIL"
        why = f"  ({'; '.join(self.failures)})" if self.failures else ""
        return f"{verdict}  {self.name:<13}" + "".join(self.cells) + why


def page_line(page: Page, load: Load | str, hello_rps: float, cost) -> Line:
    """A page's figures and verdict; a string in place of a figure is why it could not be measured. `cost`:
    bench_app.PageCost, statements and in-process ms kept / afresh."""
    failures = [value for value in (load, cost) if isinstance(value, str)]
    if not isinstance(cost, str) and cost.afresh_queries > MAX_QUERIES:
        failures.append(f"{cost.afresh_queries} queries afresh > {MAX_QUERIES}")
    shown_cost = (f"{'—':>10}{'—':>14}" if isinstance(cost, str) else
                  f"{cost.kept_queries:>5}/{cost.afresh_queries:<4}{cost.kept_ms:>7.1f}/{cost.afresh_ms:<6.1f}")
    if isinstance(load, str):
        return Line(page.name, [f"{'—':>9}"] * 4 + [shown_cost], failures)
    share = load.rps / hello_rps if hello_rps else 0.0
    minimum = WRITE_SHARE if page.form else READ_SHARE
    if share < minimum:
        failures.append(f"share {share:.3f} < {minimum:.2f}")
    if not page.form and load.p99_ms >= P99_MS:
        failures.append(f"p99 {load.p99_ms:.0f} ms ≥ {P99_MS:.0f}")
    cells = [f"{load.rps:9.1f}", f"{load.p50_ms:9.1f}", f"{load.p99_ms:9.1f}", f"{share:9.3f}", shown_cost]
    return Line(page.name, cells, failures, share, None if isinstance(cost, str) else cost.afresh_ms)


def comparison_lines(dialect: str, lines: list[Line]) -> list[Line]:
    """Each page's results kept in instance/bench-<database>-<size>.json, then compared with earlier runs on this
    machine (issue 14): on PostgreSQL with SQLite's ("vs sq": no slower by more than 20 %), and above 10,000
    obstacles with the same database's run at 10,000 ("vs 10k": the share of hello world and the cost afresh,
    each within 20 %)."""
    measured = {line.name: {"share": line.share, "afresh_ms": line.afresh_ms} for line in lines
                if line.share is not None}
    this_run = _keep_results(dialect, measured)
    compared = []
    sqlite = _last_run("sqlite", small=COUNT <= SCALE_BASE) if dialect == "postgresql" else None
    if sqlite:
        for name, page in this_run["pages"].items():
            other = sqlite["pages"].get(name)
            if name in measured and other and other["share"]:
                ratio = page["share"] / other["share"]
                failures = [f"{1 - ratio:.0%} slower than SQLite > 20 %"] if ratio < PG_VS_SQLITE else []
                compared.append(Line(f"{name} vs sq", [
                    f"{page['share']:9.3f} / {other['share']:.3f} (SQLite, {sqlite['obstacles']:,} obstacles, "
                    f"{sqlite['when']}) = {ratio:.2f}"], failures))
    small = _last_run(dialect, small=True) if COUNT > SCALE_BASE else None
    if small:
        for name, page in this_run["pages"].items():
            other = small["pages"].get(name)
            if name not in measured or not other or not other["share"] or not other["afresh_ms"]:
                continue
            shares, costs = page["share"] / other["share"], page["afresh_ms"] / other["afresh_ms"]
            failures = ([f"share {1 - shares:.0%} lower than at {small['obstacles']:,}"] if shares < 1 / SCALE_COST
                        else []) + ([f"afresh {costs:.1f} × the cost at {small['obstacles']:,}"]
                                    if costs > SCALE_COST else [])
            compared.append(Line(f"{name} vs 10k", [
                f"  share {page['share']:.3f} / {other['share']:.3f} = {shares:.2f}, afresh {page['afresh_ms']:.1f} / "
                f"{other['afresh_ms']:.1f} ms = {costs:.1f} × ({small['obstacles']:,} obstacles, {small['when']})"],
                failures))
    return compared


def _keep_results(dialect: str, measured: dict) -> dict:
    """This run's pages over what the file of this database and size held (a BENCH_PAGES run updates its own)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench-{dialect}-{COUNT}.json"
    kept = json.loads(path.read_text()) if path.exists() else {"pages": {}}
    kept.update(when=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), obstacles=COUNT)
    kept["pages"].update(measured)
    path.write_text(json.dumps(kept))
    return kept


def _last_run(dialect: str, small: bool) -> dict | None:
    """The newest kept results of that database, at 10,000 obstacles or fewer (`small`) or above."""
    runs = [json.loads(path.read_text()) for path in RESULTS.glob(f"bench-{dialect}-*.json")]
    runs = [run for run in runs if (run["obstacles"] <= SCALE_BASE) == small]
    return max(runs, key=lambda run: run["when"]) if runs else None


def job_line(name: str, result, max_seconds: float, max_queries: int | None) -> Line:
    failures = []
    if result.seconds >= max_seconds:
        failures.append(f"{result.seconds:.2f} s ≥ {max_seconds:g} s")
    if max_queries is not None and result.queries > max_queries:
        failures.append(f"{result.queries} queries > {max_queries}")
    return Line(name, [f"{result.seconds:9.2f} s", f"{result.queries:8} queries   {result.detail}"], failures)


# --- under load ---------------------------------------------------------------------------------------------

def measure_hello(env: dict) -> float:
    with Server("bench_hello:app", ROOT / "scripts", env) as server:
        run_wrk(server.base, "/", min(2.0, SECONDS))  # warm-up
        load = run_wrk(server.base, "/", SECONDS)
    problems = load.problems((200,))
    if problems:
        raise BenchError(f"hello world answered wrongly: {problems}")
    return load.rps


def prepare_visitor(base: str, page: Page, token: str) -> Visitor:
    if page.api:
        return Visitor(headers={"Authorization": f"Bearer {token}"})
    visitor = log_in(base, page.email, PASSWORD)
    if page.form:
        visitor.csrf = csrf_token(request("GET", base, page.path, visitor.headers).body)
    return visitor


def load_page(base: str, page: Page, visitor: Visitor) -> Load:
    """Check one request by hand, warm both workers up, then measure; wrong answers raise BenchError."""
    headers, body = dict(visitor.headers), ""
    if page.form:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode({**page.form, "csrf_token": visitor.csrf})
    reply = request(page.method, base, page.path, headers, body or None)
    if reply.status not in page.expected or "/login" in reply.headers.get("location", ""):
        raise BenchError(f"{page.method} {page.path} as {page.email}: HTTP {reply.status} "
                         f"{reply.headers.get('location', '')} {reply.body[:300]!r}")
    for seconds in (min(2.0, SECONDS), SECONDS):  # the first run warms up both workers
        load = run_wrk(base, page.path, seconds, method=page.method, headers=headers, body=body)
        problems = load.problems(page.expected)
        if problems:
            raise BenchError(f"{page.name}: {', '.join(problems)}")
    return load


def measure_pages(env: dict, pages: list[Page], token: str) -> dict[str, Load | str]:
    """Each page's load, or the reason it could not be measured."""
    results: dict[str, Load | str] = {}
    with Server("app:app", ROOT, env) as server:
        for page in pages:
            print(f"  loading {page.name} ({page.method} {page.path}) ...", file=sys.stderr, flush=True)
            try:
                results[page.name] = load_page(server.base, page, prepare_visitor(server.base, page, token))
            except BenchError as error:
                results[page.name] = str(error)
        if any(isinstance(r, str) for r in results.values()):
            print(server.tail(), file=sys.stderr)
    return results


# --- the run ------------------------------------------------------------------------------------------------

def query_counts(bench_app, app, pages: list[Page], token: str) -> dict:
    counts: dict = {}
    for page in pages:
        try:
            counts[page.name] = bench_app.page_cost(app, page, token)
        except BenchError as error:
            counts[page.name] = str(error)
    return counts


def page_lines(pages: list[Page], env: dict, token: str, counts: dict) -> list[Line]:
    """Hello world before and after the pages (the machine is noisy: their mean is the yardstick)."""
    if not pages:
        return []
    hello = [measure_hello(env)]
    loads = measure_pages(env, pages, token)
    hello.append(measure_hello(env))
    hello_rps = sum(hello) / len(hello)
    runs = ", ".join(f"{h:.0f}" for h in hello)
    lines = [Line("hello world", [f"{hello_rps:9.1f}", f"   (runs: {runs} req/s)"])]
    return lines + [page_line(p, loads[p.name], hello_rps, counts[p.name]) for p in pages]


def run(url: str) -> tuple[str, list[Line]]:
    import bench_app  # these import the app: only now is ROOT on sys.path
    import bench_seed

    app = bench_app.open_database(url, COUNT, REUSE)
    with app.app_context():
        as_of, reference = bench_seed.seeded_as_of(COUNT), bench_app.sample_reference(COUNT)
        token, dialect = bench_app.issue_api_token(TRIAGE), bench_app.db.engine.dialect.name
    pages = [p for p in main_pages(reference) if wanted(p.name)]
    counts = query_counts(bench_app, app, pages, token)
    with app.app_context():
        bench_app.db.engine.dispose()  # no connection of this process lingers while gunicorn serves
    lines = page_lines(pages, scratch.app_env(url), token, counts)
    with app.app_context():
        if wanted("sweep"):
            lines.append(job_line("sla sweep", bench_app.time_sweep(app, as_of), SWEEP_SECONDS, None))
        if wanted("digests"):
            lines.append(job_line("digests", bench_app.time_digests(app, as_of), DIGEST_SECONDS, DIGEST_QUERIES))
        if REUSE:
            bench_seed.reset_after_run(COUNT)
        bench_app.db.engine.dispose()
    header = (f"== make bench: {COUNT:,} obstacles on {dialect}, seeded as of {as_of:%Y-%m-%d %H:%M} UTC; gunicorn "
              f"2 sync workers, wrk 8 connections × {SECONDS:g} s per page; {os.cpu_count()} CPUs ==")
    return header, lines + comparison_lines(dialect, lines)


def print_report(header: str, lines: list[Line]) -> None:
    print(f"\n{header}")
    print(f"{'':6}{'page':<13}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'share':>9}{'queries':>10}{'ms in-process':>14}")
    print(f"{'':6}{'':<13}{'':>9}{'':>9}{'':>9}{'':>9}{'kept/afresh':>12}{'kept/afresh':>12}")
    for line in lines:
        print(line.render())
    failed = [line.name for line in lines if line.failures]
    print(f"\n{len(lines) - len(failed)} passed, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))


def main() -> int:
    require_wrk()  # before minutes of seeding
    url = os.environ.get("BENCH_DATABASE_URL") or scratch.default_url(COUNT)
    try:
        header, lines = run(url)
    finally:
        if not REUSE:
            scratch.drop(url)
    print_report(header, lines)
    return 1 if any(line.failures for line in lines) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"\nBENCH ERROR: {error}", file=sys.stderr)
        sys.exit(2)
