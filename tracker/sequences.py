"""Per-year counters behind the references people read (PUN-2026-000123, VDC-2026-0001)."""
from __future__ import annotations

from sqlalchemy import text

from .extensions import db

COUNTERS = ("ticket_sequences", "systemic_sequences")


def next_value(counter: str, year: int) -> int:
    """Take the next number of the year; the row lock of the UPDATE keeps it unique under concurrent use."""
    if counter not in COUNTERS:
        raise ValueError(counter)
    db.session.execute(text(f"INSERT INTO {counter} (year, last_value) VALUES (:year, 0) "
                            "ON CONFLICT (year) DO NOTHING"), {"year": year})
    return db.session.execute(text(f"UPDATE {counter} SET last_value = last_value + 1 WHERE year = :year "
                                   "RETURNING last_value"), {"year": year}).scalar_one()
