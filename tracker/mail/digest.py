"""Each recipient's weekly status, as plain data (no sending), from a fixed number of grouped queries.

One aggregate query grouped by (lead unit, province, locality, category, systemic issue) gives every count
of the week and of the week before; one query loads the tickets the emails list; a few load names. Everything else
is distributed in Python, so 3,400 localities' reports cost the same handful of queries as one.

"Open" at a moment means still waiting for an answer (new, assigned, in progress, awaiting the locality);
"overdue" means open with its answer deadline before that moment.

A systemic issue counts once, whatever number of localities asked: its obstacles' counts are added up per
issue and each measure is then one at most (`Counts.once`); the lists show its first obstacle, with the
issue's code and how many localities asked.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from .. import measures
from ..enums import Role
from ..extensions import db
from ..models import Category, Locality, Ticket, Unit, User
from ..weeks import Week

WAITING = measures.AWAITING_ANSWER
LIST_LIMIT = 50  # tickets listed per section; the counts always cover all of them
TOP = 5
DIGEST_ROLES = (Role.LEAD, Role.TRIAGE, Role.SPECIALIST, Role.PROVINCE, Role.COMMUNE)


@dataclass
class Counts:
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0
    open: int = 0
    overdue: int = 0
    responded: int = 0  # first responses given in the week
    responded_on_time: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def once(self) -> Counts:
        """A systemic issue's counts: each measure one at most."""
        return Counts(*(min(1, getattr(self, name)) for name in self.__dataclass_fields__))

    @property
    def sla_compliance(self) -> int | None:
        """Of the tickets answered in the week, the share answered by their deadline (the dashboard's figure)."""
        return measures.percent(self.answered_on_time, self.answered)

    @property
    def first_response_compliance(self) -> int | None:
        return measures.percent(self.responded_on_time, self.responded)


@dataclass
class Digest:
    """One recipient's weekly email, as data. `kind` picks the template: team, unit, province, commune."""

    kind: str
    user: User
    week: Week
    counts: Counts
    previous: Counts
    subject_of: object = None  # the unit, province or commune the report is about
    tickets: list[Ticket] = field(default_factory=list)  # open, by deadline
    overdue: list[Ticket] = field(default_factory=list)
    due_next_week: list[Ticket] = field(default_factory=list)
    answered: list[Ticket] = field(default_factory=list)
    oldest: list[Ticket] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # team: load per unit; province: per locality
    top_categories: list[tuple] = field(default_factory=list)
    top_provinces: list[tuple] = field(default_factory=list)
    issues: list = field(default_factory=list)  # team: the systemic issues open or answered in the week

    def delta(self, metric: str) -> int:
        return getattr(self.counts, metric) - getattr(self.previous, metric)


def _measures(week: Week) -> list:
    """The week's counts, with the dashboard's definitions (measures.py): the same compliance figures."""
    answered = measures.between(Ticket.answered_at, week.start, week.end)
    responded = measures.between(Ticket.first_responded_at, week.start, week.end)
    return [measures.count(measures.between(Ticket.created_at, week.start, week.end)), measures.count(answered),
            measures.count(and_(answered, measures.answered_on_time())), measures.count(measures.open_at(week.end)),
            measures.count(measures.overdue_at(week.end)), measures.count(responded),
            measures.count(and_(responded, measures.responded_on_time()))]


MEASURED = 7  # len(_measures(week))


@dataclass
class WeekData:
    """Everything the week's emails need, loaded once."""

    week: Week
    # (unit_id, province_id, locality_id, category_id, systemic_issue_id, Counts this week, Counts before)
    groups: list[tuple]
    tickets: list[Ticket]  # open at the week's end, or answered during it
    units: dict[int, Unit]
    categories: dict[int, Category]
    localities: dict[int, Locality]

    def __post_init__(self) -> None:
        """Index groups and tickets once, so each recipient reads only its own share."""
        self.team_parts: dict | None = None
        self.group_index: dict[tuple[int, int | None], list[tuple]] = defaultdict(list)
        for group in self.groups:
            for position in (0, 1, 2):
                self.group_index[(position, group[position])].append(group)
        self.ticket_index: dict[tuple[str, int | None], list[Ticket]] = defaultdict(list)
        for ticket in self.tickets:
            for attribute in ("lead_unit_id", "province_id", "locality_id"):
                self.ticket_index[(attribute, getattr(ticket, attribute))].append(ticket)

    def totals(self, groups: list[tuple] | None = None) -> tuple[Counts, Counts]:
        return collapsed(self.groups if groups is None else groups)

    def groups_of(self, position: int, key: int) -> list[tuple]:
        """Groups by lead unit (0), province (1) or locality (2)."""
        return self.group_index.get((position, key), [])

    def tickets_of(self, attribute: str, key: int) -> list[Ticket]:
        return self.ticket_index.get((attribute, key), [])


def load_week(week: Week) -> WeekData:
    previous = week.previous
    relevant = and_(Ticket.created_at < week.end,
                    or_(Ticket.closed_at.is_(None), Ticket.closed_at >= previous.start,
                        Ticket.answered_at >= previous.start))
    keys = (Ticket.lead_unit_id, Ticket.province_id, Ticket.locality_id, Ticket.category_id, Ticket.systemic_issue_id)
    rows = db.session.execute(select(*keys, *_measures(week), *_measures(previous))
                              .where(relevant).group_by(*keys)).all()
    groups = [(*row[:5], Counts(*map(int, row[5:5 + MEASURED])), Counts(*map(int, row[5 + MEASURED:])))
              for row in rows]
    tickets = list(db.session.scalars(
        select(Ticket).where(or_(measures.open_at(week.end),
                                 measures.between(Ticket.answered_at, week.start, week.end)))
        .options(joinedload(Ticket.locality), joinedload(Ticket.lead_unit), joinedload(Ticket.category),
                 joinedload(Ticket.systemic_issue))
        .order_by(Ticket.id)))
    locality_ids = {g[1] for g in groups} | {g[2] for g in groups}
    localities = {loc.id: loc for loc in db.session.scalars(select(Locality).where(Locality.id.in_(locality_ids)))}
    return WeekData(week, groups, tickets,
                    {u.id: u for u in db.session.scalars(select(Unit))},
                    {c.id: c for c in db.session.scalars(select(Category))}, localities)


def collapsed(groups: list[tuple]) -> tuple[Counts, Counts]:
    """This week's and last week's counts of these groups, each systemic issue counted once."""
    now, before = Counts(), Counts()
    issues: dict[int, tuple[Counts, Counts]] = defaultdict(lambda: (Counts(), Counts()))
    for *keys, this, prev in groups:
        if keys[4] is None:
            now.add(this)
            before.add(prev)
        else:
            issues[keys[4]][0].add(this)
            issues[keys[4]][1].add(prev)
    for this, prev in issues.values():
        now.add(this.once())
        before.add(prev.once())
    return now, before


def once_per_issue(tickets: list[Ticket]) -> list[Ticket]:
    """The list with each systemic issue's first obstacle only."""
    seen, kept = set(), []
    for ticket in tickets:
        if ticket.systemic_issue_id is None or ticket.systemic_issue_id not in seen:
            seen.add(ticket.systemic_issue_id)
            kept.append(ticket)
    return kept


def recipients(only: list[User] | None = None) -> list[User]:
    if only is not None:
        return [u for u in only if u.active]
    return list(db.session.scalars(
        select(User).where(User.active.is_(True), User.role.in_([r.value for r in DIGEST_ROLES]))
        .options(joinedload(User.locality), joinedload(User.unit)).order_by(User.id)))


def build_digests(week: Week, users: list[User] | None = None) -> list[Digest]:
    """The weekly digest of every recipient (or of `users`); recipients with nothing to report are left out."""
    data = load_week(week)
    builders = {Role.LEAD: _team, Role.TRIAGE: _team, Role.SPECIALIST: _unit, Role.PROVINCE: _province,
                Role.COMMUNE: _commune}
    digests = []
    for user in recipients(users):
        builder = builders.get(user.role_enum)
        digest = builder(user, data) if builder else None
        if digest is not None:
            digests.append(digest)
    return digests


def _is_open(ticket: Ticket, week: Week) -> bool:
    return ticket.created_at < week.end and (ticket.answered_at is None or ticket.answered_at >= week.end
                                             or ticket.status in WAITING) \
        and (ticket.closed_at is None or ticket.closed_at >= week.end)


def _sections(tickets: list[Ticket], week: Week) -> dict:
    """Open (by deadline), overdue, due in the coming week, answered during the week."""
    open_ = sorted((t for t in tickets if _is_open(t, week)), key=_by_deadline)
    following = week.following
    sections = {
        "tickets": open_,
        "overdue": [t for t in open_ if t.answer_due_at and t.answer_due_at < week.end],
        "due_next_week": [t for t in open_ if t.answer_due_at and following.start <= t.answer_due_at < following.end],
        "answered": [t for t in tickets if t.answered_at and week.start <= t.answered_at < week.end],
    }
    return {name: once_per_issue(listed)[:LIST_LIMIT] for name, listed in sections.items()}


def _by_deadline(ticket: Ticket) -> tuple:
    return (ticket.answer_due_at is None, ticket.answer_due_at or ticket.created_at, ticket.id)


def _team(user: User, data: WeekData) -> Digest:
    if data.team_parts is None:  # the same for every team member: computed once per run
        data.team_parts = _team_parts(data)
    return Digest("team", user, data.week, **data.team_parts)


def _team_parts(data: WeekData) -> dict:
    counts, previous = data.totals()
    sections = _sections(data.tickets, data.week)
    per_unit, per_category, per_province = _per_key(data.groups, 0), _per_key(data.groups, 3), _per_key(data.groups, 1)
    units = sorted(((data.units.get(uid), c) for uid, c in per_unit.items() if c.open or c.overdue),
                   key=lambda row: (-row[1].open, row[0].name if row[0] else ""))
    open_all = [t for t in data.tickets if _is_open(t, data.week)]
    issues = {t.systemic_issue_id: t.systemic_issue for t in data.tickets if t.systemic_issue_id is not None}
    return {"counts": counts, "previous": previous, "overdue": sections["overdue"],
            "oldest": once_per_issue(sorted(open_all, key=lambda t: (t.created_at, t.id)))[:10], "rows": units,
            "top_categories": _top(per_category, data.categories),
            "top_provinces": _top(per_province, data.localities),
            "issues": sorted(issues.values(), key=lambda i: (-i.reporter_count, i.code))[:LIST_LIMIT]}


def _per_key(groups: list[tuple], position: int) -> dict[int | None, Counts]:
    """This week's counts per unit (0), province (1) or category (3), each systemic issue counted once."""
    split: dict[int | None, list[tuple]] = defaultdict(list)
    for group in groups:
        split[group[position]].append(group)
    return {key: collapsed(parts)[0] for key, parts in split.items()}


def _top(grouped: dict[int, Counts], names: dict) -> list[tuple]:
    ranked = sorted(((names.get(key), c) for key, c in grouped.items() if c.received),
                    key=lambda row: (-row[1].received, str(row[0])))
    return ranked[:TOP]


def _unit(user: User, data: WeekData) -> Digest | None:
    if user.unit_id is None:
        return None
    counts, previous = data.totals(data.groups_of(0, user.unit_id))
    tickets = data.tickets_of("lead_unit_id", user.unit_id)
    return Digest("unit", user, data.week, counts, previous, subject_of=data.units.get(user.unit_id),
                  **_sections(tickets, data.week))


def _province(user: User, data: WeekData) -> Digest | None:
    if user.locality_id is None or user.locality is None or not user.locality.is_province:
        return None
    groups = data.groups_of(1, user.locality_id)
    counts, previous = data.totals(groups)
    per_locality = _per_key(groups, 2)
    rows = sorted(((data.localities.get(lid), c) for lid, c in per_locality.items()),
                  key=lambda row: (-row[1].open, row[0].name if row[0] else ""))
    tickets = data.tickets_of("province_id", user.locality_id)
    return Digest("province", user, data.week, counts, previous, subject_of=user.locality, rows=rows,
                  **_sections(tickets, data.week))


def _commune(user: User, data: WeekData) -> Digest | None:
    """Only a commune with open obstacles gets a report."""
    if user.locality_id is None:
        return None
    counts, previous = data.totals(data.groups_of(2, user.locality_id))
    if not counts.open:
        return None
    tickets = data.tickets_of("locality_id", user.locality_id)
    return Digest("commune", user, data.week, counts, previous, subject_of=user.locality,
                  **_sections(tickets, data.week))
