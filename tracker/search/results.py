"""The search page's results: what the user may see, filtered like the lists, ranked, highlighted, paginated.

A fixed number of queries whatever the page shows: the ranked candidates (one query), those the user may
see through the filters (one), the page's tickets (one) and the page's replies for the snippets (one).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask import current_app
from markupsafe import Markup
from sqlalchemy import select

from ..extensions import db
from ..models import Message, Ticket, User
from ..paging import PagerLinks
from ..permissions import id_among, visible_tickets
from ..queries import LIST_LOADS, TicketFilters
from . import query
from .highlight import highlight, snippet
from .index import INDEXED_KINDS


@dataclass
class Hit:
    ticket: Ticket
    title: Markup
    snippet: Markup | None


@dataclass
class SearchPage(PagerLinks):
    """A page of hits, shaped like Flask-SQLAlchemy's pagination for the shared pager."""

    items: list[Hit] = field(default_factory=list)
    page: int = 1
    per_page: int = 25
    total: int = 0
    limited: bool = False  # the word index stopped at query.CANDIDATES matches
    terms: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def search_tickets(user: User, filters: TicketFilters, page: int = 1) -> SearchPage:
    """Best matches first (or the chosen sort); the matching words marked in the title and a snippet."""
    found = query.terms(filters.q)
    result = SearchPage(page=max(page or 1, 1), per_page=current_app.config["PAGE_SIZE"], terms=found)
    if not found:
        return result
    ranks = {row[0]: row[1] for row in db.session.execute(query.ranked_candidates(query.match_for(user, found)))}
    result.limited = len(ranks) >= query.CANDIDATES
    admitted = (filters.apply(visible_tickets(user), user).with_only_columns(Ticket.id)
                .where(id_among(Ticket.id, list(ranks))))
    if filters.sort:
        ids = list(db.session.scalars(admitted.order_by(*filters.order())))
    else:
        ids = sorted(db.session.scalars(admitted), key=lambda i: (-ranks[i], -i))
    result.total = len(ids)
    start = (result.page - 1) * result.per_page
    result.items = _hits(ids[start:start + result.per_page], found)
    return result


def _hits(ids: list[int], found: list[str]) -> list[Hit]:
    if not ids:
        return []
    tickets = {t.id: t for t in db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)).options(*LIST_LOADS))}
    replies: dict[int, list[str]] = {}
    for message in db.session.scalars(
            select(Message).where(Message.ticket_id.in_(ids), Message.kind.in_(INDEXED_KINDS))
            .order_by(Message.created_at, Message.id)):
        replies.setdefault(message.ticket_id, []).append(message.body)
    return [Hit(tickets[i], highlight(tickets[i].title, found),
                snippet([tickets[i].description, tickets[i].legal_basis, *replies.get(i, [])], found))
            for i in ids if i in tickets]
