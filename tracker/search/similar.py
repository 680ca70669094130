"""Similar obstacles: what triage may link to one systemic issue, and what a locality should read first.

Text similarity over title and description: the word index finds candidates holding any of an obstacle's
distinctive words (the newest ones the user may see), and each candidate is scored by the overlap of the
two texts' syllables and syllable pairs (Vietnamese words are mostly two syllables: "biên chế", "địa
chính"), the titles weighing most. Pure functions do the scoring, so pages can also compare the rows they
already hold without a query.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from .. import data_version
from ..enums import OPEN_STATUSES, Status, SystemicStatus
from ..extensions import db
from ..guidance import published
from ..models import Guidance, SearchDocument, SystemicIssue, Ticket, User
from ..permissions import can_manage_issues, is_team, visible_tickets
from ..text import words
from . import query

# Syllables too common in this domain to say what an obstacle is about (folded).
STOPWORDS = frozenset({
    "a", "ai", "ay", "bi", "bo", "boi", "cac", "can", "cho", "chua", "co", "con", "cua", "cung", "da", "dang",
    "day", "de", "den", "do", "duoc", "gi", "giua", "hay", "hoac", "khi", "khong", "kia", "la", "lai", "len",
    "ma", "moi", "mot", "nao", "neu", "nen", "nhieu", "nhu", "nhung", "nay", "o", "qua", "ra", "rat", "se", "sau",
    "tai", "thi", "the", "theo", "tren", "trong", "truoc", "tu", "tuy", "va", "vao", "ve", "vi", "voi", "xin",
    # words nearly every obstacle holds: "vướng mắc", "kiến nghị", "hướng dẫn", "Bộ Nội vụ", "quy định"...
    "vuong", "mac", "kien", "nghi", "huong", "dan", "noi", "vu", "uy", "ban", "nhan", "xa", "phuong", "tinh",
    "thanh", "pho", "quy", "dinh", "thuc", "hien", "cu", "viec",
})
TEXT_WORDS = 80  # description words that count: the start says what an obstacle is about
CANDIDATES = 200
THRESHOLD = 0.25
ANSWERED_STATUSES = (Status.ANSWERED.value, Status.CLOSED.value)


def features(text_words: list[str]) -> set[str]:
    """Distinctive syllables and the pairs of neighbouring syllables (unless both are common)."""
    found = {w for w in text_words if w not in STOPWORDS and len(w) > 1}
    found |= {f"{a} {b}" for a, b in itertools.pairwise(text_words) if a not in STOPWORDS or b not in STOPWORDS}
    return found


def overlap(a: set[str], b: set[str]) -> float:
    """Dice's coefficient: 1 for the same features, 0 for none in common."""
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


@dataclass(frozen=True)
class Text:
    """An obstacle's (or a question's) words, as similarity reads them."""

    title: set[str]
    body: set[str]

    @classmethod
    def of(cls, title_words: list[str], body_words: list[str]) -> Text:
        return cls(features(title_words), features(body_words[:TEXT_WORDS]))

    @classmethod
    @functools.lru_cache(maxsize=4096)
    def from_text(cls, title: str | None, body: str | None) -> Text:
        """Remembered by the texts themselves: the triage queue compares the same rows on every look, and
        folding their words cost a third of the page."""
        return cls.of(words(title), words(body))

    def score(self, other: Text) -> float:
        """Titles weigh two thirds; a missing description takes nothing away."""
        if not (self.body and other.body):
            return overlap(self.title, other.title)
        return (2 * overlap(self.title, other.title) + overlap(self.body, other.body)) / 3

    def distinctive(self, limit: int = 12) -> list[str]:
        """Single syllables to look for in the word index, the title's first."""
        singles = [f for f in (*sorted(self.title), *sorted(self.body)) if " " not in f]
        return list(dict.fromkeys(singles))[:limit]


@functools.lru_cache(maxsize=4096)
def _indexed_text(title: str, body: str) -> Text:
    """Text of a word-index document (its words folded already), remembered: an obstacle's page scores the
    same newest candidates again and again, and their features cost more than the query that reads them."""
    return Text.of(title.split(), body.split())


@dataclass
class Suggestion:
    score: float
    ticket: Ticket | None = None
    issue: SystemicIssue | None = None


def scored_candidates(user: User, text: Text, scope, limit: int = CANDIDATES) -> list[tuple[float, Ticket]]:
    """(score, ticket) of the newest tickets in `scope` (a select of Ticket the user may see) holding any of
    the text's distinctive words, best first, above THRESHOLD."""
    found = text.distinctive()
    if not found:
        return []
    ids = query.candidate_ids(query.match_for(user, found, any_term=True), limit).subquery()
    rows = db.session.execute(scope.add_columns(SearchDocument.title, SearchDocument.body)
                              .join(SearchDocument, SearchDocument.ticket_id == Ticket.id)
                              .where(Ticket.id.in_(select(ids.c.id)))).all()
    scored = [(text.score(Text.of(title.split(), body.split())), ticket) for ticket, title, body in rows]
    return sorted(((s, t) for s, t in scored if s >= THRESHOLD), key=lambda pair: (-pair[0], -pair[1].id))


def similar_to_ticket(user: User, ticket: Ticket, limit: int = 5) -> list[Suggestion]:
    """Open obstacles and systemic issues like this one, best first: what triage may link in one click.

    An obstacle already in an issue is offered as its issue; the obstacle's own issue is not offered. The
    candidates are scored from plain rows (id, issue, words); only the few suggested are loaded as obstacles.
    Which ones are kept by the tickets' data version (any write to tickets makes them miss) for this obstacle
    and scope: the search and its scoring were a quarter of an obstacle's page, seen again and again."""
    key = ("similar to", ticket.id, ticket.version, "team" if is_team(user) else user.id, limit)
    chosen = data_version.cached(key, lambda: _most_similar(user, ticket, limit))
    if not chosen:
        return []
    loaded = {t.id: t for t in db.session.scalars(
        select(Ticket).where(Ticket.id.in_([ticket_id for _s, ticket_id, _i in chosen]))
        .options(joinedload(Ticket.systemic_issue), joinedload(Ticket.locality)))}
    return [Suggestion(score, ticket=loaded[ticket_id]) if issue_id is None
            else Suggestion(score, issue=loaded[ticket_id].systemic_issue) for score, ticket_id, issue_id in chosen]


def _most_similar(user: User, ticket: Ticket, limit: int) -> list[tuple[float, int, int | None]]:
    """(score, id, issue id) of the obstacles similar_to_ticket offers."""
    text = Text.from_text(ticket.title, f"{ticket.description}\n{ticket.legal_basis}")
    found = text.distinctive()
    if not found:
        return []
    ids = query.candidate_ids(query.match_for(user, found, any_term=True), CANDIDATES).subquery()
    scope = visible_tickets(user).where(Ticket.id != ticket.id, Ticket.id.in_(select(ids.c.id)), or_(
        Ticket.status.in_([s.value for s in OPEN_STATUSES]), Ticket.systemic_issue_id.is_not(None)))
    rows = db.session.execute(scope.with_only_columns(Ticket.id, Ticket.systemic_issue_id, SearchDocument.title,
                                                      SearchDocument.body)
                              .join(SearchDocument, SearchDocument.ticket_id == Ticket.id)).all()
    scored = sorted(((text.score(_indexed_text(title, body)), ticket_id, issue_id)
                     for ticket_id, issue_id, title, body in rows), key=lambda row: (-row[0], -row[1]))
    chosen: list[tuple[float, int, int | None]] = []
    offered_issues = {ticket.systemic_issue_id}
    for score, ticket_id, issue_id in scored:
        if score < THRESHOLD or len(chosen) == limit:
            break
        if issue_id is not None and issue_id in offered_issues:
            continue
        if issue_id is not None:
            offered_issues.add(issue_id)
        chosen.append((score, ticket_id, issue_id))
    return chosen


def look_alike_groups(tickets: list[Ticket], minimum: float = 0.5) -> list[list[Ticket]]:
    """Groups of two or more of these tickets that look alike (no query: the rows a page already holds)."""
    texts = [Text.from_text(t.title, t.description) for t in tickets]
    parent = list(range(len(tickets)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(tickets)):
        for j in range(i + 1, len(tickets)):
            if texts[i].score(texts[j]) >= minimum:
                parent[root(j)] = root(i)
    groups: dict[int, list[Ticket]] = {}
    for i, ticket in enumerate(tickets):
        groups.setdefault(root(i), []).append(ticket)
    return [group for group in groups.values() if len(group) > 1]


@functools.lru_cache(maxsize=4096)
def title_features(title: str) -> frozenset[str]:
    return frozenset(features(words(title)))


def issues_like(tickets: list[Ticket], issues: list[SystemicIssue], minimum: float = 0.4) -> list[tuple]:
    """(ticket, issue) pairs where an open issue's title looks like an unlinked ticket's title."""
    titles = [(issue, title_features(issue.title)) for issue in issues]
    pairs = []
    for ticket in tickets:
        if ticket.systemic_issue_id is not None:
            continue
        mine = title_features(ticket.title)
        best = max(((overlap(mine, title), issue) for issue, title in titles), default=(0.0, None),
                   key=lambda pair: pair[0])
        if best[1] is not None and best[0] >= minimum:
            pairs.append((ticket, best[1]))
    return pairs


RECENT_OPEN_ISSUES = 200


@dataclass(frozen=True)
class Suggested:
    """A row or an issue a queue's suggestions name: plain values, kept with the queue's rendered rows."""

    reference: str = ""
    code: str = ""
    title: str = ""


def queue_suggestions(user: User, tickets: list[Ticket]) -> dict:
    """For triage on a queue page: groups of look-alike rows (one click makes them a systemic issue), and rows like
    an open issue (one click links them): one query, whatever the page. Plain values, not the rows."""
    if not (can_manage_issues(user) and tickets):
        return {"groups": [], "issues": []}
    issues = db.session.scalars(select(SystemicIssue).where(SystemicIssue.status == SystemicStatus.OPEN.value)
                                .order_by(SystemicIssue.id.desc()).limit(RECENT_OPEN_ISSUES)).all()
    return {"groups": [[Suggested(reference=t.reference, title=t.title) for t in group]
                       for group in look_alike_groups(tickets)],
            "issues": [(Suggested(reference=t.reference), Suggested(code=issue.code, title=issue.title))
                       for t, issue in issues_like(tickets, issues)]}


def similar_guidance(text: Text, limit: int = 5) -> list[Guidance]:
    """Published guidance like a question being typed (guidance is a few thousand rows: its words are read
    with LIKE over the newest that hold any of them)."""
    found = text.distinctive()
    if not found:
        return []
    candidates = db.session.scalars(published().where(
        or_(*(Guidance.search_text.contains(f" {term} ", autoescape=True) for term in found))).limit(CANDIDATES))
    scored = [(text.score(Text.from_text(g.title, g.question)), g) for g in candidates]
    return [g for s, g in sorted(scored, key=lambda pair: (-pair[0], -pair[1].id)) if s >= THRESHOLD][:limit]


def similar_answered(user: User, text: Text, limit: int = 5) -> list[Ticket]:
    """The answered obstacles `user` may see that are like a question being typed."""
    scope = visible_tickets(user).where(Ticket.status.in_(ANSWERED_STATUSES), Ticket.answered_at.is_not(None))
    return [ticket for _score, ticket in scored_candidates(user, text, scope)][:limit]
