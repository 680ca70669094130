"""Pages of long lists without counting them to the end: a count stops at COUNT_CAP (shown as "1.000+"),
and the status tabs' counts come together in one round trip. An exact COUNT(*) over a million matching rows
costs more than the page it numbers."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import Select, any_, func, literal, select, text, union_all

from .extensions import db
from .models import Ticket
from .permissions import scope_parts

COUNT_CAP = 1_000
TAB_CAP = 100  # the other status tabs count only this far ("100+"): eight counts of a thousand would cost more
PAGE_SIZES = (25, 50, 100)
MAX_PAGE = 100_000  # far past any list; an offset beyond it would only overflow the database's integers


def page_size(value, default: int) -> int:
    """25, 50 or 100 rows as asked; anything else the configured default."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        return default
    return size if size in PAGE_SIZES else default


def _capped(query: Select, cap: int):
    """The count of the query's first cap + 1 rows: enough to know "more than cap". A scope made of parts
    (permissions.scope_parts) is counted part by part, each stopping at cap + 1, and the counts added."""
    counts = []
    for part in scope_parts(query):
        limited = part.with_only_columns(literal(1), maintain_column_froms=True).order_by(None).limit(cap + 1)
        counts.append(select(func.count()).select_from(limited.subquery()).scalar_subquery())
    total = counts[0]
    for count in counts[1:]:
        total = total + count
    return total


def first_rows(query: Select, order, limit: int) -> Select:
    """The tickets `query` selects, as a query whose first `limit` rows in `order` are the same: for a scope
    made of parts (permissions.scope_parts), the ids of each part's first `limit` rows (each part walks its
    own index and stops), which the caller orders and pages again."""
    parts = scope_parts(query)
    if len(parts) == 1:
        return query
    firsts = [select(part.with_only_columns(Ticket.id, maintain_column_froms=True).order_by(*order).limit(limit)
                     .subquery().c.id) for part in parts]
    return select(Ticket).where(id_in(union_all(*firsts)))


def id_in(ids) -> object:
    """`Ticket.id IN ids` (a select of a few ids: a page's first rows). On PostgreSQL an array the database
    computes once before the page's rows are read and joined to their names: as an IN (a semi-join) the
    planner weighs the subquery among the page's seven joined tables, which took it more time (~8 ms) than
    reading the rows does."""
    if db.engine.dialect.name == "postgresql":
        return Ticket.id == any_(func.array(ids.scalar_subquery()))
    return Ticket.id.in_(ids)


def bounded_counts(queries: dict, cap: int | None = None, caps: dict | None = None) -> dict:
    """Several counts, each up to cap + 1 ("more than cap"; `caps` may set a key's own), in one statement of
    scalar subqueries: one round trip for a page's total and its tabs."""
    keys = list(queries)
    if not keys:
        return {}
    cap = cap or COUNT_CAP
    caps = caps or {}
    row = db.session.execute(select(*(_capped(queries[k], caps.get(k, cap)) for k in keys))).one()
    return {key: min(value, caps.get(key, cap) + 1) for key, value in zip(keys, row, strict=True)}


class PagerLinks:
    """The previous and next links of a page, from its `page` and `pages`."""

    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class BoundedPage(PagerLinks):
    """One page of rows and what the pager needs; `total` stops at the cap (then `capped` is true)."""

    items: list
    page: int
    per_page: int
    total: int
    cap: int = 0  # 0: COUNT_CAP
    tabs: dict = field(default_factory=dict)
    tab_cap: int = 0  # 0: TAB_CAP (the chosen tab's count is the total, counted to `cap`)

    def __post_init__(self):
        self.cap = self.cap or COUNT_CAP
        self.tab_cap = self.tab_cap or TAB_CAP

    @property
    def capped(self) -> bool:
        return self.total > self.cap

    @property
    def pages(self) -> int:
        """The pages one can jump to: those within the counted range."""
        return max(math.ceil(min(self.total, self.cap) / self.per_page), 1)

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers for the pager: the first, the last and a few around this one; None marks a gap."""
        shown = sorted({1, self.pages, *range(max(self.page - around, 1), min(self.page + around, self.pages) + 1)})
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def paginate(query: Select, order, page: int | None, per_page: int, total: int, cap: int = 0,
             options=(), joins_as_written: bool = False) -> BoundedPage:
    """The rows of `page` (clamped to the counted range), ordered; `total` is the query's bounded count.
    `joins_as_written`: see keep_join_order (for a query whose only joins are its rows' names)."""
    shell = BoundedPage([], 1, per_page, total, cap)
    number = min(max(page or 1, 1), shell.pages)
    query = first_rows(query, order, number * per_page)
    if joins_as_written:
        keep_join_order()
    rows = db.session.scalars(query.options(*options).order_by(*order)
                              .limit(per_page).offset((number - 1) * per_page)).unique().all()
    return BoundedPage(list(rows), number, per_page, total, cap)


def keep_join_order() -> None:
    """PostgreSQL plans a list page's row statement (the page's obstacles, then their names joined by primary
    key: seven tables) in ~5 ms, ten times what running it takes, weighing every order of the joins; the order
    it is written in is the one it picks. Told to keep it, it plans in a fraction (a list at 1,000,000: 21 ->
    16 ms a request). SET LOCAL holds until the transaction ends: what a list request reads after its rows
    (saved views, suggestions) joins nothing; a statement that joins a subquery of ids (a search's matches)
    needs reordering, and does not ask for this."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_KEEP_JOIN_ORDER)


_KEEP_JOIN_ORDER = text("SET LOCAL join_collapse_limit = 1")
