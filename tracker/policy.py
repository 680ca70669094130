"""The policy list: answered obstacles whose outcome is that the law itself must change, grouped by the
legal document they cite and by category — what the ministry brings to law makers."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import func, select

from .enums import Outcome
from .extensions import db
from .models import Category, Ticket, User
from .permissions import visible_tickets
from .queries import TicketFilters


def policy_filters(filters: TicketFilters) -> TicketFilters:
    """Whatever else is asked, the policy list holds answers that say the law must change."""
    return replace(filters, outcome=Outcome.NEEDS_LEGAL_CHANGE.value, status=None)


@dataclass
class DocumentGroup:
    """One cited document ("" when the legal basis cites none that can be read) and its count per category."""

    document: str
    categories: list[tuple[Category, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(n for _c, n in self.categories)

    @property
    def filter_value(self) -> str:
        return self.document or "none"


def by_document(user: User, filters: TicketFilters) -> list[DocumentGroup]:
    """Counts per (document, category) of the list, most cited document first; one query and the names."""
    query = (filters.apply(visible_tickets(user), user)
             .with_only_columns(Ticket.legal_document, Ticket.category_id, func.count())
             .group_by(Ticket.legal_document, Ticket.category_id))
    rows = db.session.execute(query).all()
    categories = {c.id: c for c in db.session.scalars(select(Category).where(
        Category.id.in_({category_id for _d, category_id, _n in rows})))}
    groups: dict[str, DocumentGroup] = {}
    for document, category_id, count in rows:
        groups.setdefault(document or "", DocumentGroup(document or "")).categories.append(
            (categories[category_id], count))
    for group in groups.values():
        group.categories.sort(key=lambda pair: (-pair[1], pair[0].position))
    return sorted(groups.values(), key=lambda g: (g.document == "", -g.total, g.document))
