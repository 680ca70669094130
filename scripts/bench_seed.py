"""Seed a scratch database with realistic obstacles for `make bench`, fast enough for 1,000,000 of them.

Rows go in through the models' Table objects (never hand-written column lists), so columns other engineers
add later with a default or as nullable are filled by their defaults. On PostgreSQL rows are streamed with
COPY; on SQLite with executemany inserts, in batches, in one transaction: a seed is complete or absent.

The data is consistent as of one moment, `as_of` (the newest obstacle is filed a minute before it): open
obstacles past their deadline are breached, answered ones carry answered_at, outcome and met/missed, closed
ones a closing date and sometimes a rating. Deadlines use an approximate working-time clock (8 working hours
≈ 1.4 calendar days): exact working-day arithmetic for a million rows would take minutes and changes no
query plan.
"""
from __future__ import annotations

import datetime as dt
import functools
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bench_pages import DOMAIN, LEAD, PASSWORD, TRIAGE
from bench_text import Vietnamese
from sqlalchemy import Table, delete, func, insert, select, text, update
from werkzeug.security import generate_password_hash

from tracker.enums import URGENCY_RANK, Outcome
from tracker.extensions import db
from tracker.localities import import_localities
from tracker.maintenance import refresh_planner_statistics
from tracker.search import index as search_index
from tracker.text import fold

SEED_VERSION = "bench-seed-2"  # in the lead's name: a reused database from another seeder is reseeded
SPAN = dt.timedelta(days=730)
WORK_HOUR = dt.timedelta(days=1.4 / 8)
BATCH = 20_000
URGENCY_WEIGHTS = {"thuong": 70, "khan": 20, "thuong_khan": 7, "hoa_toc": 3}
SLA_HOURS = {"hoa_toc": (4, 8), "thuong_khan": (8, 24), "khan": (8, 40), "thuong": (16, 80)}
# The older an obstacle, the likelier it is finished: (up to this age in days, status weights).
AGE_BANDS = (
    (2, {"new": 50, "assigned": 30, "in_progress": 15, "awaiting_locality": 5}),
    (15, {"new": 5, "assigned": 20, "in_progress": 40, "awaiting_locality": 10, "answered": 20, "duplicate": 3,
          "transferred": 2}),
    (45, {"new": 1, "in_progress": 10, "awaiting_locality": 4, "answered": 15, "closed": 60, "duplicate": 5,
          "transferred": 5}),
    (None, {"in_progress": 0.3, "answered": 0.3, "closed": 88, "duplicate": 6.4, "transferred": 5}),
)
OUTCOME_WEIGHTS = {Outcome.ANSWERED: 60, Outcome.LOCAL_COMPETENCE: 15, Outcome.FORWARDED: 10,
                   Outcome.NEEDS_LEGAL_CHANGE: 15}
AGENCIES = ("Bộ Tài chính", "Bộ Xây dựng", "Bộ Tư pháp", "Bộ Nông nghiệp và Môi trường", "UBND tỉnh")
TICKET_OPTIONAL = ("assignee_id", "first_responded_at", "paused_at", "paused_status", "answered_at", "outcome",
                   "reply_doc_number", "closed_at", "rating", "rating_comment", "duplicate_of_id", "transferred_to",
                   "answer_working_seconds")
PREVIOUS = {"assigned": "new", "in_progress": "assigned", "awaiting_locality": "in_progress",
            "answered": "in_progress", "closed": "answered", "duplicate": "new", "transferred": "assigned"}


def table(name: str) -> Table:
    return db.metadata.tables[name]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- writing rows -------------------------------------------------------------------------------------------

class BulkWriter:
    """Buffers rows of one table until flushed: COPY on PostgreSQL, executemany elsewhere.

    The caller flushes, parents before children, so foreign keys always find their rows.
    """

    def __init__(self, name: str, optional: dict | None = None) -> None:
        self.table = table(name)
        self.optional = optional or {}  # keys some rows leave out, with the value they then get
        self.rows: list[dict] = []
        self.written = 0
        self.copy = db.engine.dialect.name == "postgresql"

    def add(self, row: dict) -> None:
        self.rows.append({**self.optional, **row})

    def flush(self) -> None:
        if not self.rows:
            return
        if self.copy:
            self._copy(self.rows)
        else:
            db.session.execute(insert(self.table), self.rows)
        self.written += len(self.rows)
        self.rows = []

    def _copy(self, rows: list[dict]) -> None:
        """COPY knows nothing of Python-side defaults, so columns the seeder leaves out get theirs here."""
        given = list(rows[0])
        defaults = _python_defaults(self.table, given)
        names = ", ".join(f'"{c}"' for c in [*given, *defaults])
        cursor = db.session.connection().connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{self.table.name}" ({names}) FROM STDIN') as copy:
            extra = tuple(defaults.values())
            for row in rows:
                copy.write_row((*(row[c] for c in given), *extra))


def _python_defaults(target: Table, given) -> dict:
    values = {}
    for column in target.columns:
        if column.key in given or column.default is None or column.server_default is not None:
            continue
        arg = column.default.arg
        values[column.key] = arg(None) if callable(arg) else arg
    return values


def skip_foreign_key_checks() -> None:
    """PostgreSQL checks each COPYed row's seven foreign keys one by one, a third of a million-row seed.

    The rows are consistent by construction, so the seed's transaction turns the checks off (replica role).
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))


def reset_id_sequences(names: tuple[str, ...]) -> None:
    """Rows were given explicit ids; PostgreSQL's serial sequences must continue after them."""
    if db.engine.dialect.name != "postgresql":
        return
    for name in names:
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"))


# --- users --------------------------------------------------------------------------------------------------

@dataclass
class People:
    """Who files and who works: user ids by locality and by unit, for the obstacles to refer to."""

    by_locality: dict[int, int] = field(default_factory=dict)
    specialists: dict[int, list[int]] = field(default_factory=dict)
    triage: int = 0


def seed_users() -> People:
    """One officer per commune and per province, two specialists per unit (the first heads it), the team."""
    people, rows = People(), []
    password_hash = generate_password_hash(PASSWORD)

    def add(email: str, role: str, name: str, **extra) -> int:
        rows.append({"id": len(rows) + 1, "email": email, "role": role, "name": name,
                     "password_hash": password_hash, **extra})
        return len(rows)

    loc = table("localities")
    for loc_id, code, name, level in db.session.execute(select(loc.c.id, loc.c.code, loc.c.name, loc.c.level)):
        prefix = "tinh" if level == "province" else "xa"
        people.by_locality[loc_id] = add(f"{prefix}{code}@{DOMAIN}", level, f"Cán bộ {name}", locality_id=loc_id)
    for unit_id, code in db.session.execute(select(table("units").c.id, table("units").c.code)):
        people.specialists[unit_id] = [
            add(f"cv{n}.{code}@{DOMAIN}", "specialist", f"Chuyên viên {n} {code}", unit_id=unit_id,
                is_unit_head=n == 1) for n in (1, 2)]
    people.triage = add(TRIAGE, "triage", "Tổ phản ứng nhanh – Phân loại")
    add(LEAD, "lead", f"Tổ trưởng ({SEED_VERSION})")
    add(f"quantri@{DOMAIN}", "admin", "Quản trị")
    writer = BulkWriter("users", {"locality_id": None, "unit_id": None, "is_unit_head": False})
    for row in rows:
        writer.add(row)
    writer.flush()
    log(f"  users: {len(rows):,}")
    return people


# --- obstacles ----------------------------------------------------------------------------------------------

@dataclass
class World:
    """What every obstacle picks from, loaded once."""

    as_of: dt.datetime
    rng: random.Random
    words: Vietnamese
    people: People
    localities: list[tuple[int, int]]  # (locality id, province id), communes and (rarely) provinces
    categories: list[tuple[int, str, int | None]]  # (id, code, default unit id)
    units: list[int]
    year_starts: list[tuple[dt.datetime, int]]
    sequences: dict[int, int] = field(default_factory=dict)


def load_world(as_of: dt.datetime, people: People) -> World:
    rng = random.Random(2026)
    loc = table("localities")
    rows = db.session.execute(select(loc.c.id, loc.c.parent_id, loc.c.level)).all()
    communes = [(i, parent) for i, parent, level in rows if level == "commune"]
    provinces = [(i, i) for i, _parent, level in rows if level == "province"]
    localities = communes * 19 + provinces * 10  # about 5 % filed by the provinces themselves
    cat = table("categories")
    categories = db.session.execute(select(cat.c.id, cat.c.code, cat.c.default_unit_id)).all()
    units = list(db.session.scalars(select(table("units").c.id).where(table("units").c.is_external.is_(False))))
    local = dt.timezone(dt.timedelta(hours=7))
    year_starts = [(dt.datetime(y, 1, 1, tzinfo=local).astimezone(dt.UTC), y)
                   for y in range((as_of - SPAN).year, as_of.year + 2)]
    return World(as_of, rng, Vietnamese(rng), people, localities, [tuple(c) for c in categories], units,
                 year_starts)


_CUMULATIVE = [(limit, list(w), [sum(list(w.values())[:i + 1]) for i in range(len(w))]) for limit, w in AGE_BANDS]
_OUTCOMES = ([o.value for o in OUTCOME_WEIGHTS], list(OUTCOME_WEIGHTS.values()))
_URGENCIES = (list(URGENCY_WEIGHTS), list(URGENCY_WEIGHTS.values()))


def pick_status(rng: random.Random, age_days: float) -> str:
    for limit, statuses, cumulative in _CUMULATIVE:
        if limit is None or age_days < limit:
            return rng.choices(statuses, cum_weights=cumulative)[0]
    raise AssertionError("the last band has no limit")


def _reference(world: World, created: dt.datetime) -> tuple[int, int, str]:
    year = next(y for start, y in reversed(world.year_starts) if created >= start)
    seq = world.sequences[year] = world.sequences.get(year, 0) + 1
    return year, seq, f"PUN-{year}-{seq:06d}"


@functools.lru_cache(maxsize=65536)
def _folded(title: str) -> str:
    return fold(title)


def _open_state(at_risk_at: dt.datetime, due: dt.datetime, moment: dt.datetime) -> str:
    return "breached" if moment >= due else "at_risk" if moment >= at_risk_at else "on_track"


def ticket_row(world: World, ticket_id: int, created: dt.datetime) -> dict:
    """One obstacle: identity, text, routing and the deadlines of its urgency."""
    rng = world.rng
    locality_id, province_id = rng.choice(world.localities)
    category_id, category_code, default_unit = rng.choice(world.categories)
    urgency = rng.choices(*_URGENCIES)[0]
    first_hours, answer_hours = SLA_HOURS[urgency]
    due = created + answer_hours * WORK_HOUR
    year, seq, reference = _reference(world, created)
    title = world.words.title(category_code)
    return {
        "id": ticket_id, "reference": reference, "year": year, "seq": seq, "version": 1,
        "locality_id": locality_id, "province_id": province_id,
        "created_by_id": world.people.by_locality[locality_id], "category_id": category_id, "title": title,
        "title_folded": _folded(title), "description": world.words.description(),
        "legal_basis": rng.choice(("", "Nghị định 150/2025/NĐ-CP", "Thông tư 01/2025/TT-BNV")),
        "requested_urgency": "normal" if urgency == "thuong" else "urgent", "urgency": urgency,
        "urgency_rank": URGENCY_RANK[urgency], "channel": "web",
        "lead_unit_id": default_unit or rng.choice(world.units),
        "created_at": created, "updated_at": created, "first_response_due_at": created + first_hours * WORK_HOUR,
        "first_response_at_risk_at": created + first_hours * WORK_HOUR * 0.75,
        "answer_due_at": due, "at_risk_at": created + (due - created) * 0.75, "paused_seconds": 0,
    }


def apply_status(world: World, row: dict, status: str) -> None:
    """Fill the fields a status implies, so states, dates and outcomes agree with each other."""
    rng, created, now = world.rng, row["created_at"], world.as_of
    age = now - created
    row["status"] = status
    if status == "new":
        row.update(lead_unit_id=None, sla_state=_open_state(row["at_risk_at"], row["answer_due_at"], now),
                   first_response_state=_open_state(row["first_response_at_risk_at"], row["first_response_due_at"],
                                                    now))
        return
    specialists = world.people.specialists.get(row["lead_unit_id"], [])
    row["assignee_id"] = rng.choice(specialists) if specialists and rng.random() < 0.8 else None
    row["first_responded_at"] = created + age * rng.uniform(0.05, 0.3)
    row["first_response_state"] = "missed" if row["first_responded_at"] > row["first_response_due_at"] else "met"
    if status in ("assigned", "in_progress"):
        row["sla_state"] = _open_state(row["at_risk_at"], row["answer_due_at"], now)
    elif status == "awaiting_locality":
        paused = created + age * rng.uniform(0.3, 0.9)
        row.update(paused_at=paused, paused_status=rng.choice(("assigned", "in_progress")),
                   sla_state=_open_state(row["at_risk_at"], row["answer_due_at"], paused))
    elif status in ("answered", "closed"):
        _answer(world, row)
    else:
        _finish_elsewhere(world, row, status)


def _answer(world: World, row: dict) -> None:
    rng, created = world.rng, row["created_at"]
    budget = row["answer_due_at"] - created
    answered = min(created + budget * rng.uniform(0.3, 1.4), world.as_of - dt.timedelta(minutes=1))
    row.update(answered_at=answered, outcome=rng.choices(*_OUTCOMES)[0],
               answer_working_seconds=int((answered - created) / WORK_HOUR * 3600),
               sla_state="missed" if answered > row["answer_due_at"] else "met",
               reply_doc_number=f"{rng.randint(100, 9999)}/BNV-TCBC" if rng.random() < 0.5 else None)
    if row["status"] == "closed":
        row["closed_at"] = min(answered + dt.timedelta(days=rng.uniform(0, 9)), world.as_of)
        if rng.random() < 0.4:
            row["rating"] = rng.choices((1, 2, 3, 4, 5), (3, 5, 12, 40, 40))[0]
            row["rating_comment"] = rng.choice((None, "Trả lời rõ ràng, kịp thời.", "Cần hướng dẫn cụ thể hơn."))


def _finish_elsewhere(world: World, row: dict, status: str) -> None:
    rng, created = world.rng, row["created_at"]
    closed = min(created + (world.as_of - created) * rng.uniform(0.05, 0.5), world.as_of)
    row.update(closed_at=closed, sla_state="missed" if closed > row["answer_due_at"] else "met")
    if status == "duplicate" and row["id"] > 1:
        row["duplicate_of_id"] = rng.randint(max(1, row["id"] - 5000), row["id"] - 1)
    elif status == "transferred":
        row["transferred_to"] = rng.choice(AGENCIES)


def history(world: World, row: dict) -> tuple[list[dict], list[dict]]:
    """Two messages and two events: the locality's follow-up, the team's note or answer, filing, last change."""
    words, created, status = world.words, row["created_at"], row["status"]
    filer, team = row["created_by_id"], row.get("assignee_id") or world.people.triage
    answered = row.get("answered_at")
    settled = answered or row.get("paused_at") or row.get("closed_at") or world.as_of
    later = created + (settled - created) * 0.3  # the locality's follow-up comes before the answer
    second = ("answer", words.answer(), answered) if answered else ("note", words.note(), later + (later - created))
    base = row["id"] * 2
    messages = [
        {"id": base - 1, "ticket_id": row["id"], "author_id": filer, "kind": "reply", "body": words.reply(),
         "created_at": later},
        {"id": base, "ticket_id": row["id"], "author_id": team, "kind": second[0], "body": second[1],
         "created_at": second[2]},
    ]
    last = {"kind": "reply", "actor_id": filer, "created_at": later, "internal": False}
    if status != "new":
        at = answered or row.get("paused_at") or row.get("closed_at") or row["first_responded_at"]
        last = {"kind": "status", "field": "status", "old_value": PREVIOUS[status], "new_value": status,
                "actor_id": team, "created_at": at, "internal": False}
    events = [{"id": base - 1, "ticket_id": row["id"], "actor_id": filer, "kind": "filed", "internal": False,
               "created_at": created}, {"id": base, "ticket_id": row["id"], **last}]
    return messages, events


def filing_moments(count: int, as_of: dt.datetime, rng: random.Random) -> Iterator[dt.datetime]:
    """Evenly spread over two years with jitter, oldest first; the newest a minute before as_of."""
    step = SPAN / count
    newest = as_of - dt.timedelta(minutes=1)
    for i in range(count):
        jitter = step * rng.random() if i < count - 1 else dt.timedelta(0)
        yield newest - step * (count - 1 - i) - jitter


def seed_tickets(world: World, count: int, progress: Callable[[int], None]) -> None:
    writers = {"tickets": BulkWriter("tickets", dict.fromkeys(TICKET_OPTIONAL)), "messages": BulkWriter("messages"),
               "events": BulkWriter("events", dict.fromkeys(("field", "old_value", "new_value")))}
    for ticket_id, created in enumerate(filing_moments(count, world.as_of, world.rng), start=1):
        row = ticket_row(world, ticket_id, created)
        apply_status(world, row, pick_status(world.rng, (world.as_of - created) / dt.timedelta(days=1)))
        writers["tickets"].add(row)
        messages, events = history(world, row)
        for message in messages:
            writers["messages"].add(message)
        for event in events:
            writers["events"].add(event)
        if ticket_id % BATCH == 0 or ticket_id == count:
            for writer in writers.values():
                writer.flush()
            progress(ticket_id)
    sequences = table("ticket_sequences")
    db.session.execute(insert(sequences), [{"year": y, "last_value": v} for y, v in world.sequences.items()])


# --- the whole seed, reuse and clean-up ---------------------------------------------------------------------

def is_seeded(count: int) -> bool:
    """A complete seed of this size by this seeder (it is written in one transaction), its words indexed."""
    users, tickets = table("users"), table("tickets")
    marked = db.session.scalar(select(users.c.name).where(users.c.email == LEAD)) == f"Tổ trưởng ({SEED_VERSION})"
    return (marked and db.session.scalar(select(func.count()).where(tickets.c.id <= count)) == count
            and db.session.scalar(select(func.count()).select_from(table("search_documents"))) >= count)


def seeded_as_of(count: int) -> dt.datetime:
    """The moment the seeded data is consistent at: a minute after the newest seeded obstacle."""
    tickets = table("tickets")
    newest = db.session.scalar(select(func.max(tickets.c.created_at)).where(tickets.c.id <= count))
    newest = newest if newest.tzinfo else newest.replace(tzinfo=dt.UTC)
    return newest.astimezone(dt.UTC) + dt.timedelta(minutes=1)


def seed(count: int) -> None:
    """Localities, users and `count` obstacles with their history, committed once; then statistics."""
    began = time.perf_counter()
    skip_foreign_key_checks()
    import_localities()
    db.session.flush()
    people = seed_users()
    as_of = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    world = load_world(as_of, people)

    def progress(done: int) -> None:
        elapsed = time.perf_counter() - began
        log(f"  obstacles {done:>9,}/{count:,}  ({done / max(elapsed, 1e-9):,.0f}/s, {elapsed:.0f} s)")

    seed_tickets(world, count, progress)
    reset_id_sequences(("users", "tickets", "messages", "events"))
    db.session.commit()
    index_words(count)
    analyse()
    log(f"  seeded {count:,} obstacles (+{2 * count:,} messages, +{2 * count:,} events) "
        f"in {time.perf_counter() - began:.0f} s")


def index_words(count: int) -> None:
    """Bulk inserts have no search documents: build them as `flask --app app search reindex` does."""
    began, done = time.perf_counter(), 0

    def progress(batch: int) -> None:
        nonlocal done
        done += batch
        if done % 100_000 < batch or done == count:
            log(f"  search documents {done:>9,}/{count:,}  ({time.perf_counter() - began:.0f} s)")

    search_index.reindex(progress)


def analyse() -> None:
    """PostgreSQL's autovacuum would analyse a production table; a freshly loaded one needs it now.

    SQLite gets what the app's scheduler gives it at its start and nightly (maintenance.py: a sampled
    ANALYZE), so its plans are the ones users get.
    """
    if db.engine.dialect.name != "postgresql":
        refresh_planner_statistics()
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def reset_after_run(count: int) -> None:
    """Undo what a run wrote (obstacles filed under load, outbox, tokens) so a reused database stays the seed."""
    tickets = table("tickets")
    for target in reversed(db.metadata.sorted_tables):
        for key in target.foreign_keys:
            if key.column.table is tickets and target is not tickets:
                db.session.execute(delete(target).where(key.parent > count))
    db.session.execute(update(tickets).where(tickets.c.duplicate_of_id > count).values(duplicate_of_id=None))
    db.session.execute(delete(tickets).where(tickets.c.id > count))
    for name in ("outbox", "api_tokens"):
        db.session.execute(delete(table(name)))
    sequences = table("ticket_sequences")
    last = select(func.coalesce(func.max(tickets.c.seq), 0)).where(tickets.c.year == sequences.c.year)
    db.session.execute(update(sequences).values(last_value=last.scalar_subquery()))
    db.session.commit()
    vacuum_after_run()


def vacuum_after_run() -> None:
    """On PostgreSQL, the rows a run deleted are vacuumed away: left dead (autovacuum waits for a fifth of the
    table), they slow the next run's index scans, a search's most (66 -> 51 req/s after three runs)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for name in ("tickets", "search_documents", "events", "messages", "outbox", "form_submissions"):
            connection.exec_driver_sql(f"VACUUM ANALYZE {name}")
        # The next filings number on from the seed, as in a database that never deleted any (SQLite reuses the
        # ids by itself): a gap of the run's deleted ids at the top left a search's newest window of ids empty.
        connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('tickets', 'id'), "
                                   "(SELECT max(id) FROM tickets))")
