"""`make bench`: seed many obstacles, then time the pages people open all day against speed targets.

BENCH_TICKETS (default 200000) obstacles go into BENCH_DATABASE_URL (default: a scratch SQLite file).
Targets are per-request medians and 95th percentiles; the run exits non-zero when one is missed.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text

from config import TestConfig

TARGET_P95_MS = float(os.environ.get("BENCH_TARGET_P95_MS", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))


def seed(db, count: int) -> None:
    from tracker.enums import URGENCY_RANK, Status, Urgency
    from tracker.models import Category, Locality, Ticket, TicketSequence, Unit, User

    rng = random.Random(7)
    communes = db.session.execute(select(Locality.id, Locality.parent_id).where(Locality.level == "commune")).all()
    categories = db.session.scalars(select(Category.id)).all()
    units = db.session.scalars(select(Unit.id)).all()
    filer = db.session.scalar(select(User.id).where(User.role == "commune"))
    statuses = [s.value for s in Status]
    urgencies = [u.value for u in Urgency]
    start = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
    batch = []
    for seq in range(1, count + 1):
        locality_id, province_id = rng.choice(communes)
        created = start + dt.timedelta(minutes=rng.randint(0, 500 * 24 * 60))
        batch.append({
            "reference": f"PUN-2025-{seq:06d}" if seq < 1_000_000 else f"PUN-2026-{seq - 999_999:06d}",
            "year": 2025 if seq < 1_000_000 else 2026, "seq": seq if seq < 1_000_000 else seq - 999_999,
            "version": 1, "locality_id": locality_id, "province_id": province_id, "created_by_id": filer,
            "category_id": rng.choice(categories), "title": f"Vướng mắc số {seq} về biên chế",
            "title_folded": f"vuong mac so {seq} ve bien che",
            "description": "Nội dung", "legal_basis": "", "requested_urgency": "normal",
            "urgency": (urgency := rng.choice(urgencies)), "urgency_rank": URGENCY_RANK[urgency],
            "status": rng.choice(statuses), "channel": "web",
            "lead_unit_id": rng.choice(units), "created_at": created, "updated_at": created,
            "answer_due_at": created + dt.timedelta(days=14), "sla_state": "on_track",
        })
        if len(batch) == 20_000:
            db.session.execute(insert(Ticket), batch)
            batch = []
    if batch:
        db.session.execute(insert(Ticket), batch)
    db.session.add(TicketSequence(year=2025, last_value=min(count, 999_999)))
    db.session.commit()


def timed(client, url: str) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def main() -> int:
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.extensions import db
    from tracker.localities import import_localities
    from tracker.models import Locality, User

    count = int(os.environ.get("BENCH_TICKETS", "200000"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app(TestConfig(url))
    with app.app_context():
        upgrade()
        import_localities()
        hoan_kiem = db.session.scalar(select(Locality).where(Locality.code == "00070"))
        users = {}
        for role, locality in (("commune", hoan_kiem), ("province", hoan_kiem.parent), ("triage", None),
                               ("lead", None)):
            users[role] = User(email=f"{role}@bench.vn", role=role, locality=locality, name=role)
            users[role].set_password("bench")
            db.session.add(users[role])
        db.session.commit()
        began = time.perf_counter()
        seed(db, count)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        print(f"seeded {count} obstacles in {time.perf_counter() - began:.1f}s on {db.engine.dialect.name}")
        reference = db.session.scalar(text("SELECT reference FROM tickets WHERE locality_id = :l LIMIT 1"),
                                      {"l": hoan_kiem.id})
        emails = {role: user.email for role, user in users.items()}

    pages = [("commune", "/tickets"), ("province", "/tickets"), ("triage", "/tickets"), ("triage", "/triage"),
             ("triage", "/tickets?status=new"), ("triage", "/tickets?page=50")]
    if reference:
        pages.append(("commune", f"/tickets/{reference}"))
    failed = False
    for role, page in pages:
        client = app.test_client()
        client.post("/login", data={"email": emails[role], "password": "bench"})
        samples = timed(client, page)
        p50 = statistics.median(samples)
        p95 = sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]
        verdict = "ok" if p95 <= TARGET_P95_MS else "SLOW"
        failed |= verdict != "ok"
        print(f"{verdict:4} {role:9} {page:28} median {p50:7.1f} ms  p95 {p95:7.1f} ms  (target {TARGET_P95_MS:.0f})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
