"""Per-year counters behind the references people read (PUN-2026-000123, VDC-2026-0001)."""
from __future__ import annotations

from sqlalchemy import text

from .extensions import db

COUNTERS = ("ticket_sequences", "systemic_sequences")
# One statement: the year's first number inserts its row, every later one increments it (under the row lock).
_NEXT = {counter: text(f"INSERT INTO {counter} (year, last_value) VALUES (:year, 1) "
                       f"ON CONFLICT (year) DO UPDATE SET last_value = {counter}.last_value + 1 "
                       "RETURNING last_value") for counter in COUNTERS}


def next_value(counter: str, year: int) -> int:
    """Take the next number of the year; the row lock of the UPDATE keeps it unique under concurrent use."""
    if counter not in _NEXT:
        raise ValueError(counter)
    return db.session.execute(_NEXT[counter], {"year": year}).scalar_one()
