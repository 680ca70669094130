"""Keeping the database's query planner informed.

SQLite chooses indexes from the statistics ANALYZE leaves in sqlite_stat1; without them it guesses, and
guesses badly for a locality's status tabs (it walks every obstacle of a status in the country instead of
the locality's own). Nothing else runs ANALYZE on SQLite, so the scheduler does, at its start and nightly,
bounded by analysis_limit (a sample of each index, a second or so whatever the size). PostgreSQL's
autovacuum keeps its own statistics: nothing to do there.
"""
from __future__ import annotations

from sqlalchemy import text

from .extensions import db

ANALYSIS_LIMIT = 2000  # rows sampled per index: enough to tell a selective index from a broad one


def refresh_planner_statistics() -> bool:
    """ANALYZE on SQLite (sampled); whether it ran."""
    if db.engine.dialect.name != "sqlite":
        return False
    db.session.execute(text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return True
