"""Matching and ranking over the word index, the same way on PostgreSQL and SQLite.

A query is its folded words (text.words), all required (or any of them, for similarity). Ranking or
filtering every match of a frequent word among a million obstacles cannot answer in 100 ms on either
database, so a search takes the CANDIDATES newest matches from the word index alone, then the caller's
query (visibility, filters, sort) keeps what it admits and ranks those. A search that reaches the limit
says so; more words narrow it.

Visibility always comes from the caller's query (permissions.visible_tickets). Each document also carries
its locality's scope tokens (index.scope_tokens), so the word index intersects "this commune" or "this
province" with the words itself: a locality's candidates are its own matches (plus the few main obstacles
it follows), never the country's newest. The tokens only ever narrow.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, column, func, literal_column, or_, select, table, union_all
from sqlalchemy.dialects.postgresql import REGCONFIG

from ..extensions import db
from ..models import SearchDocument, User
from ..permissions import followed_main_ids, own_locality
from ..text import words
from .index import catch_up

CANDIDATES = 1000
WINDOW = 50  # PostgreSQL reads the matches among the newest WINDOW × CANDIDATES documents first (_Postgres.newest)
SMALL = 4  # ... in an index of more than SMALL windows; in a smaller one it reads every match
TERMS_MAX = 12
TERM_MAX = 60
QUERY_MAX = 200  # characters a person may type into a search box; the lists quietly cut longer ones
_TOKEN_PREFIX = {"locality_id": "l", "province_id": "p"}


def terms(text: str | None) -> list[str]:
    """The distinct folded words of a query, in order; at most TERMS_MAX of them."""
    return list(dict.fromkeys(w[:TERM_MAX] for w in words(text)))[:TERMS_MAX]


@dataclass(frozen=True)
class Match:
    """What to look for: the words, all or any of them, and a locality user's scope."""

    found: tuple[str, ...]
    any_term: bool = False
    token: str | None = None
    main_ids: tuple[int, ...] = ()  # the main obstacles a locality follows, outside its own scope


class _Postgres:
    """The tsvector generated from search_documents: title words weight A, body D, scope tokens B, so a
    person's words (A or D only) never match a token. ts_rank: higher is better; it reads a document's
    tsvector, so it runs on the chosen candidates only."""

    tsv = literal_column("search_documents.tsv")
    key = SearchDocument.__table__.c.ticket_id

    @staticmethod
    def _tsquery(match: Match, token: str | None):
        text = "(" + (" | " if match.any_term else " & ").join(f"'{term}':AD" for term in match.found) + ")"
        if token:
            text += f" & '{token}':B"
        return func.to_tsquery(literal_column("'simple'", REGCONFIG), text)

    def condition(self, match: Match, token: str | None):
        return self.tsv.op("@@")(self._tsquery(match, token))

    def newest(self, condition, limit: int, _ranked: bool = False) -> Select:
        """The newest `limit` matches: first among the newest WINDOW × `limit` documents, then among the rest.

        A GIN index returns its matches in no order, so "ORDER BY ticket_id DESC LIMIT n" reads every match of
        a frequent word from the table to keep the newest n (31,000 rows for "mật khẩu" among a million
        obstacles: 100 ms). The second part ANDs the GIN bitmap with an id range of the primary key (a range
        between two values the planner cannot know, so it estimates it narrow and ANDs the bitmaps), so only
        the newest documents' matches are read; for a frequent word they are enough, and under the LIMIT the
        third part (every older match) is never run. Each part is sorted newest first and the parts come in
        order (UNION ALL is appended part after part), so the rows are the newest matches. Up to SMALL ×
        WINDOW × `limit` documents the first part alone runs, every match read as before: in so small a table
        the planner would rather walk the window's ids one by one than AND the bitmaps, and that costs more
        than reading them all. Which parts run is decided once (a condition on the newest id alone)."""
        latest = SearchDocument.__table__.alias("latest")
        newest_id = select(func.max(latest.c.ticket_id)).scalar_subquery()
        small = newest_id <= SMALL * WINDOW * limit
        boundary = newest_id - WINDOW * limit
        everything = select(self.key.label("id")).where(condition, small).order_by(self.key.desc())
        recent = (select(self.key.label("id")).where(condition, ~small, self.key > boundary, self.key <= newest_id)
                  .order_by(self.key.desc()))
        older = (select(self.key.label("id")).where(condition, ~small, self.key <= boundary)
                 .order_by(self.key.desc()))
        return select(union_all(everything, recent, older).subquery("matches").c.id).limit(limit)

    def ranked(self, ids: Select, match: Match) -> Select:
        chosen = ids.subquery()
        return (select(chosen.c.id, func.ts_rank(self.tsv, self._tsquery(match, None)).label("rank"))
                .join(SearchDocument, SearchDocument.ticket_id == chosen.c.id))


class _Sqlite:
    """The FTS5 table over search_documents (rowid = ticket id; columns title, body, scope). FTS5 reads
    matches by rowid, newest first without sorting; bm25 weighs the title 4 to 1, ignores the scope, is
    computed only for the rows returned, and is lower for better matches, so its negation ranks."""

    fts = table("search_fts", column("rowid"))
    key = fts.c.rowid

    @staticmethod
    def condition(match: Match, token: str | None):
        text = "{title body} : (" + (" OR " if match.any_term else " ").join(f'"{t}"' for t in match.found) + ")"
        if token:
            text += f' AND scope : "{token}"'
        return literal_column("search_fts").op("MATCH")(text)

    def newest(self, condition, limit: int, ranked: bool = False) -> Select:
        """The newest matches' ids, with their rank when asked: bm25 reads every term's whole document list,
        twenty times the cost of the ids alone for a similarity query's dozen OR-ed words."""
        rank = [(-func.bm25(literal_column("search_fts"), 4.0, 1.0, 0.0)).label("rank")] if ranked else []
        return select(self.key.label("id"), *rank).where(condition).order_by(self.key.desc()).limit(limit)

    @staticmethod
    def ranked(ids: Select, _match: Match) -> Select:
        return ids


def _backend():
    return _Postgres() if db.engine.dialect.name == "postgresql" else _Sqlite()


def match_for(user: User | None, found: list[str], any_term: bool = False) -> Match:
    """The match as `user` may run it: a locality user's scope token and followed main obstacles. The
    transaction's own changes are indexed first (index.catch_up), so a search sees them."""
    catch_up()
    own = own_locality(user) if user is not None else None
    if own is None:
        return Match(tuple(found), any_term)
    return Match(tuple(found), any_term, f"{_TOKEN_PREFIX[own[0]]}{own[1]}", tuple(followed_main_ids(user)))


def candidate_ids(match: Match, limit: int | None = None, ranked: bool = False) -> Select:
    """The ids of the `limit` (CANDIDATES) newest matching documents (the caller's query decides what is
    shown); `ranked`: what ranked_candidates needs on SQLite (its rank beside each id)."""
    backend = _backend()
    condition = backend.condition(match, match.token)
    if match.main_ids:
        condition = or_(condition, and_(backend.key.in_(match.main_ids), backend.condition(match, None)))
    return backend.newest(condition, limit or CANDIDATES, ranked)


def ranked_candidates(match: Match, limit: int | None = None) -> Select:
    """(id, rank) of the candidates; a higher rank is a better match."""
    backend = _backend()
    return backend.ranked(candidate_ids(match, limit, ranked=True), match)


def newest_matches(text: str | None, user: User | None = None) -> list[int]:
    """The ids of the CANDIDATES newest documents matching every word of `text` within `user`'s scope
    (no words: none). A list then keeps those its own query admits."""
    found = terms(text)
    if not found:
        return []
    return list(db.session.scalars(candidate_ids(match_for(user, found))))
