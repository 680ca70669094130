"""Pages of long lists without counting them to the end: a count stops at COUNT_CAP (shown as "1.000+"),
and the status tabs' counts come together in one round trip. An exact COUNT(*) over a million matching rows
costs more than the page it numbers."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import Select, func, literal, select

from .extensions import db

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


def _capped(query: Select, cap: int) -> Select:
    """The count of the query's first cap + 1 rows: enough to know "more than cap"."""
    limited = query.with_only_columns(literal(1), maintain_column_froms=True).order_by(None).limit(cap + 1).subquery()
    return select(func.count()).select_from(limited)


def bounded_counts(queries: dict, cap: int | None = None, caps: dict | None = None) -> dict:
    """Several counts, each up to cap + 1 ("more than cap"; `caps` may set a key's own), in one statement of
    scalar subqueries: one round trip for a page's total and its tabs."""
    keys = list(queries)
    if not keys:
        return {}
    cap = cap or COUNT_CAP
    caps = caps or {}
    row = db.session.execute(select(*(_capped(queries[k], caps.get(k, cap)).scalar_subquery() for k in keys))).one()
    return dict(zip(keys, row, strict=True))


@dataclass
class BoundedPage:
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
             options=()) -> BoundedPage:
    """The rows of `page` (clamped to the counted range), ordered; `total` is the query's bounded count."""
    shell = BoundedPage([], 1, per_page, total, cap)
    number = min(max(page or 1, 1), shell.pages)
    rows = db.session.scalars(query.options(*options).order_by(*order)
                              .limit(per_page).offset((number - 1) * per_page)).unique().all()
    return BoundedPage(list(rows), number, per_page, total, cap)
