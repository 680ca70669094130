"""Demo accounts and obstacles for trying the product on a laptop: obstacles from every province and category,
in every status, taken through the real domain actions so their history and deadlines are real."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from sqlalchemy import delete, func, select

from . import workflow
from .accounts import create_user
from .demo_text import AGENCIES, ANSWERS, DESCRIPTION, LEGAL_BASES, QUESTIONS, RATING_COMMENTS, STAFF_NAMES, TITLES
from .enums import Outcome, Role, Status, Urgency
from .extensions import db
from .intake import file_on_behalf
from .lookups import by_code
from .models import Category, Locality, OutboxMessage, Ticket, Unit, User, utcnow
from .tickets import file_ticket, start_work, triage_ticket

DEMO_PASSWORD = "phanungnhanh2026"  # meets the password policy (passwords.py)

# (email, role, locality code, unit code, name)
DEMO_ACCOUNTS = [
    ("xa.hoankiem@demo.gov.vn", Role.COMMUNE, "00070", None, "Cán bộ Phường Hoàn Kiếm"),
    ("tinh.hanoi@demo.gov.vn", Role.PROVINCE, "01", None, "Điều phối viên TP Hà Nội"),
    ("phanloai@demo.gov.vn", Role.TRIAGE, None, "moha_van_phong", "Tổ phản ứng nhanh – Phân loại"),
    ("chuyenvien@demo.gov.vn", Role.SPECIALIST, None, "moha_tcbc", "Chuyên viên Vụ Tổ chức – Biên chế"),
    ("lanhdao@demo.gov.vn", Role.LEAD, None, "moha_van_phong", "Tổ trưởng Tổ phản ứng nhanh"),
    ("quantri@demo.gov.vn", Role.ADMIN, None, None, "Quản trị hệ thống"),
]

def ensure_demo_accounts() -> list[User]:
    """One account per role; existing ones are kept as they are."""
    users = []
    for email, role, locality_code, unit_code, name in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(email, role, name=name, password=DEMO_PASSWORD,
                               locality=by_code(Locality, locality_code), unit=by_code(Unit, unit_code))
        users.append(user)
    return users


# What becomes of the n-th demo obstacle (the plan repeats): every status, answered, rated and overdue ones.
PLAN = (
    (Status.CLOSED, "rated"), (Status.IN_PROGRESS, ""), (Status.NEW, ""), (Status.ANSWERED, ""),
    (Status.ASSIGNED, ""), (Status.CLOSED, ""), (Status.AWAITING_LOCALITY, ""), (Status.IN_PROGRESS, "late"),
    (Status.ANSWERED, "rated"), (Status.NEW, "late"), (Status.CLOSED, "rated"), (Status.DUPLICATE, ""),
    (Status.IN_PROGRESS, ""), (Status.TRANSFERRED, ""), (Status.CLOSED, ""), (Status.ASSIGNED, "late"),
    (Status.ANSWERED, ""), (Status.CLOSED, "rated"), (Status.NEW, ""), (Status.IN_PROGRESS, ""),
)
FINISHED = {Status.ANSWERED, Status.CLOSED, Status.DUPLICATE, Status.TRANSFERRED}
URGENCIES = [Urgency.THUONG] * 6 + [Urgency.KHAN] * 2 + [Urgency.THUONG_KHAN, Urgency.HOA_TOC]
OUTCOMES = [Outcome.ANSWERED] * 6 + [Outcome.LOCAL_COMPETENCE, Outcome.FORWARDED, Outcome.NEEDS_LEGAL_CHANGE,
                                      Outcome.NEEDS_LEGAL_CHANGE]


class Demo:
    """The people and places demo obstacles come from. Demo accounts share the demo password's hash (hashing
    is slow on purpose; one per account would make seeding crawl)."""

    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng, self.now = rng, now
        accounts = {user.email: user for user in ensure_demo_accounts()}
        self.triage = accounts["phanloai@demo.gov.vn"]
        self.password_hash = self.triage.password_hash
        self.people = {(u.role, u.locality_id or u.unit_id): u for u in accounts.values()}
        self.home = accounts["xa.hoankiem@demo.gov.vn"].locality  # the demo commune sees obstacles of its own
        places = db.session.scalars(select(Locality)).all()
        self.provinces = sorted((p for p in places if p.is_province), key=lambda p: p.code)
        self.communes: dict[int, list[Locality]] = {}
        for place in places:
            if not place.is_province:
                self.communes.setdefault(place.parent_id, []).append(place)
        self.all_communes = [c for p in self.provinces for c in self.communes.get(p.id, [])]
        self.categories = db.session.scalars(select(Category).where(Category.active.is_(True))
                                             .order_by(Category.position)).all()
        self.units = {u.code: u for u in db.session.scalars(select(Unit))}
        self.filed: list[Ticket] = []  # what a later duplicate can be merged into

    def person(self, role: Role, place: Locality | None = None, unit: Unit | None = None) -> User:
        """The demo coordinator of a province, or the demo specialist of a unit (made the first time)."""
        key = (role.value, place.id if place else unit.id)
        if key not in self.people:
            if place is not None:
                email, name = f"tinh.{place.code}@demo.gov.vn", f"Điều phối viên {place.name}"
            else:
                email = f"chuyenvien.{unit.code}@demo.gov.vn"
                name = STAFF_NAMES[len(self.people) % len(STAFF_NAMES)]
            user = User(email=email, role=role.value, name=name, locality=place, unit=unit)
            user.password_hash = self.password_hash
            db.session.add(user)
            db.session.flush()
            self.people[key] = user
        return self.people[key]

    def place(self, n: int) -> Locality:
        """Each province in turn first, then communes anywhere (one in eight the demo commune, so its officer's
        list is not empty); now and then a province's own obstacle."""
        if n < len(self.provinces):
            province = self.provinces[n]
            return self.rng.choice(self.communes.get(province.id) or [province])
        if n % 8 == 0 and self.home is not None:
            return self.home
        if self.rng.random() < 0.05 or not self.all_communes:
            return self.rng.choice(self.provinces)
        return self.rng.choice(self.all_communes)

    def filed_at(self, status: Status, note: str) -> dt.datetime:
        """Old enough for what happens to it: overdue ones past their deadline, fresh ones in the last days."""
        if note == "late":
            days = self.rng.uniform(25, 60)
        elif status in FINISHED:
            days = self.rng.uniform(15, 90)
        else:
            days = self.rng.uniform(0.2, 7)
        return self.now - dt.timedelta(days=days)


def seed_tickets(count: int, seed: int = 2026, progress: Callable[[int], None] = lambda n: None) -> int:
    """Demo obstacles over every province, category and status, taken through the real domain actions at
    backdated moments, so their history, deadlines and deadline states are real."""
    rng = random.Random(seed)
    demo = Demo(rng, utcnow())
    for n in range(count):
        status, note = PLAN[n % len(PLAN)]
        _one_obstacle(demo, n, status, note)
        progress(1)
    db.session.flush()
    return count


def last_mail_id() -> int:
    return db.session.scalar(select(func.max(OutboxMessage.id))) or 0


def drop_mail_after(mail_id: int) -> int:
    """Demo obstacles announce nothing: the emails their actions queued (to demo addresses) are dropped."""
    return db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > mail_id)).rowcount


def _one_obstacle(demo: Demo, n: int, status: Status, note: str) -> Ticket:
    category = demo.categories[n % len(demo.categories)]
    title = demo.rng.choice(TITLES.get(category.code) or TITLES["khac"])
    moment = demo.filed_at(status, note)
    ticket = _file(demo, demo.place(n), category, title, moment, on_behalf=demo.rng.random() < 0.15)
    steps = _Steps(demo, ticket, moment)
    if status in (Status.DUPLICATE, Status.TRANSFERRED):
        _set_aside(demo, steps, ticket, status)
    else:
        demo.filed.append(ticket)
        if status is not Status.NEW:
            _handle(demo, steps, ticket, category, status, note)
    return ticket


def _set_aside(demo: Demo, steps: _Steps, ticket: Ticket, status: Status) -> None:
    """Triage merges a duplicate into an obstacle filed before it, or transfers one outside the ministry's remit."""
    earlier = [t for t in demo.filed if t.created_at < ticket.created_at]
    if status is Status.DUPLICATE and earlier:
        main = min(earlier, key=lambda t: t.created_at)
        steps.then(hours=3, act=lambda at: workflow.mark_duplicate(demo.triage, ticket, version=ticket.version,
                                                                   main=main, now=at))
        return
    steps.then(hours=3, act=lambda at: workflow.transfer(
        demo.triage, ticket, version=ticket.version, agency=demo.rng.choice(AGENCIES), now=at,
        note="Nội dung kiến nghị thuộc thẩm quyền của cơ quan khác; đã chuyển để xem xét, trả lời."))


def _handle(demo: Demo, steps: _Steps, ticket: Ticket, category: Category, status: Status, note: str) -> None:
    """Triage routes it to the category's unit and one of its specialists, who works on it as far as planned."""
    unit = category.default_unit or demo.units["moha_cqdp"]
    specialist = demo.person(Role.SPECIALIST, unit=unit)
    steps.then(hours=2, act=lambda at: triage_ticket(demo.triage, ticket, version=ticket.version, category=category,
                                                     urgency=demo.rng.choice(URGENCIES), lead_unit=unit,
                                                     assignee=specialist, now=at))
    if status is not Status.ASSIGNED:
        _work(demo, steps, ticket, specialist, status, note)


def _file(demo: Demo, place: Locality, category: Category, title: str, moment: dt.datetime,
          on_behalf: bool) -> Ticket:
    fields = {"locality": place, "category": category, "title": title,
              "description": DESCRIPTION.format(title=title[0].lower() + title[1:]),
              "legal_basis": LEGAL_BASES.get(category.code, ""),
              "requested_urgency": demo.rng.choice(["normal"] * 4 + ["urgent"]), "now": moment}
    if on_behalf:  # an official dispatch, recorded by triage with its number and date
        return file_on_behalf(demo.triage, channel="dispatch", incoming_doc_date=(moment - dt.timedelta(days=2)).date(),
                              incoming_doc_number=f"{demo.rng.randint(100, 4999)}/UBND-NV", **fields)
    return file_ticket(demo.person(Role.PROVINCE, place=place.province), **fields)


def _work(demo: Demo, steps: _Steps, ticket: Ticket, specialist: User, status: Status, note: str) -> None:
    rng = demo.rng
    steps.then(hours=20, act=lambda at: start_work(specialist, ticket, version=ticket.version, now=at))
    if status is Status.AWAITING_LOCALITY:
        steps.then(hours=4, act=lambda at: workflow.ask_locality(specialist, ticket, version=ticket.version,
                                                                body=rng.choice(QUESTIONS), now=at))
        return
    if status is Status.IN_PROGRESS:
        return
    locality = demo.person(Role.PROVINCE, place=ticket.province)
    steps.then(hours=rng.uniform(30, 300), act=lambda at: workflow.answer(
        specialist, ticket, version=ticket.version, now=at, outcome=rng.choice(OUTCOMES).value,
        body=rng.choice(ANSWERS).format(basis=ticket.legal_basis or "quy định hiện hành"),
        reply_doc_number=f"{rng.randint(1000, 9999)}/BNV-CQĐP"))
    if status is Status.CLOSED:
        steps.then(hours=24, act=lambda at: workflow.confirm_answer(locality, ticket, version=ticket.version, now=at))
    if note == "rated":
        steps.then(hours=1, act=lambda at: workflow.rate(locality, ticket, version=ticket.version, now=at,
                                                         score=rng.choice([3, 4, 4, 5, 5, 2]),
                                                         comment=rng.choice(RATING_COMMENTS)))


class _Steps:
    """The obstacle's next moments: each step some hours after the last, never in the future."""

    def __init__(self, demo: Demo, ticket: Ticket, start: dt.datetime):
        self.demo, self.ticket, self.at = demo, ticket, start

    def then(self, hours: float, act) -> None:
        self.at = min(self.at + dt.timedelta(hours=hours), self.demo.now - dt.timedelta(minutes=1))
        act(self.at)
