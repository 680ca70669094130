"""The scratch database `make bench` seeds: a SQLite file, or a PostgreSQL database it creates and drops.

With BENCH_REUSE=1 the database is kept after the run and used again when it holds a complete seed of the
same size, so repeated runs at 1,000,000 obstacles do not reseed. Only databases whose name contains
"bench" are ever dropped: a mistyped BENCH_DATABASE_URL must not cost anyone their data.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url


def default_url(count: int) -> str:
    return f"sqlite:///{Path(tempfile.gettempdir()) / f'tracker-bench-{count}.db'}"


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql", "postgres:"))


def _check_scratch(url: str) -> None:
    name = make_url(url).database or ""
    if "bench" not in Path(name).name:
        raise SystemExit(f"refusing to use {name!r} as a scratch database: its name must contain 'bench'")


def _admin_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


def exists(url: str) -> bool:
    if not is_postgres(url):
        return Path(make_url(url).database).exists()
    with psycopg.connect(_admin_dsn(url), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (make_url(url).database,)).fetchone()
    return found is not None


def create(url: str) -> None:
    """An empty database, replacing any earlier one of that name."""
    drop(url)
    if is_postgres(url):
        with psycopg.connect(_admin_dsn(url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{make_url(url).database}"')


def drop(url: str) -> None:
    _check_scratch(url)
    if is_postgres(url):
        with psycopg.connect(_admin_dsn(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        return
    path = Path(make_url(url).database)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def app_env(url: str) -> dict[str, str]:
    """The environment the app reads (config.py): production Config, CSRF on, no scheduler in the workers."""
    # RATELIMIT_ENABLED=false: wrk sends hundreds of requests a second from one address and one account.
    return {"DATABASE_URL": url, "SECRET_KEY": "bench-only-secret-key", "SCHEDULER_ENABLED": "false",
            "BASE_URL": "http://127.0.0.1", "RATELIMIT_ENABLED": "false"}
