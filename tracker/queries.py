"""Read-side queries shared by pages, the API and jobs. All start from visible_tickets(user)."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import Column, ScalarSelect, SelectBase, and_, exists, literal, or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.visitors import replacement_traverse

from . import measures, paging
from .enums import OPEN_STATUSES, MessageKind, Outcome, SlaState, Status, Urgency
from .extensions import db
from .localtime import local_date, local_midnight, parse_local_date
from .models import (
    Attachment,
    Category,
    Event,
    Locality,
    Message,
    SystemicIssue,
    Ticket,
    TicketLink,
    Unit,
    User,
    ticket_units,
    utcnow,
)
from .paging import BoundedPage, bounded_counts, paginate
from .permissions import can_see_internal, id_among, own_locality, scope_copier, scope_parts, visible_tickets
from .search import query as search_query

LIST_LOADS = (
    joinedload(Ticket.systemic_issue),
    joinedload(Ticket.locality),
    joinedload(Ticket.category),
    joinedload(Ticket.lead_unit),
    joinedload(Ticket.assignee),
    joinedload(Ticket.province),
)
# What the API's list shows of each obstacle (views/api/schemas.ticket_summary): its own columns and the codes
# of its names, not every column of it and of five other tables.
SUMMARY_LOADS = (
    load_only(Ticket.id, Ticket.reference, Ticket.version, Ticket.title, Ticket.status, Ticket.urgency,
              Ticket.category_id, Ticket.locality_id, Ticket.province_id, Ticket.lead_unit_id, Ticket.created_at,
              Ticket.updated_at, Ticket.answer_due_at, Ticket.sla_state, Ticket.outcome, Ticket.systemic_issue_id),
    joinedload(Ticket.category).load_only(Category.code),
    joinedload(Ticket.locality).load_only(Locality.code),
    joinedload(Ticket.province).load_only(Locality.code),
    joinedload(Ticket.lead_unit).load_only(Unit.code),
    joinedload(Ticket.systemic_issue).load_only(SystemicIssue.code),
)
OPEN_VALUES = [s.value for s in OPEN_STATUSES]
# An obstacle's page: its names, coordinating units and every file, in the statement that loads it.
TICKET_PAGE_LOADS = (
    *LIST_LOADS,
    joinedload(Ticket.created_by),
    joinedload(Ticket.duplicate_of),
    joinedload(Ticket.coordinating_units),
    joinedload(Ticket.attachments),
)


def parse_date(value: str | None) -> dt.date | None:
    """localtime.parse_local_date, or None for what it refuses (a slip such as 01/01/0001 included)."""
    try:
        return parse_local_date(value)
    except ValueError:
        return None


SORTS = {
    "newest": lambda: (Ticket.created_at.desc(), Ticket.id.desc()),
    "age": lambda: (Ticket.created_at.asc(), Ticket.id.asc()),
    "deadline": lambda: (Ticket.answer_due_at.asc().nulls_last(), Ticket.id.asc()),
    "urgency": lambda: (Ticket.urgency_rank.asc(), Ticket.created_at.asc(), Ticket.id.asc()),
    # Overdue first, then due soon, then on track; the nearest deadline first within each state.
    # (models.SLA_SORT: the stored key, indexed with the deadline and id, puts those without a deadline last.)
    "sla": lambda: (Ticket.sla_sort.asc(), Ticket.answer_due_at.asc(), Ticket.id.asc()),
}
# The filters the dashboard's numbers link with (measures.py says what each means).
KPI_KEYS = ("answered_from", "answered_to", "answered", "responded_from", "responded_to", "responded", "due",
            "missed_from", "missed_to", "outcome", "lacking", "rated", "document")
DATE_KEYS = ("filed_from", "filed_to", "answered_from", "answered_to", "responded_from", "responded_to",
             "missed_from", "missed_to")
SORT_LABELS = {"newest": _l("Newest first"), "age": _l("Oldest first"), "deadline": _l("Deadline"),
               "urgency": _l("Most urgent first"), "sla": _l("Deadline state (overdue first)")}
FILTER_KEYS = ("status", "urgency", "category", "province", "commune", "unit", "assignee", "sla_state",
               "first_response_state", "filed_from", "filed_to", "q", "sort", "each", *KPI_KEYS)
# Values of `status` that name a group of statuses: "open" is still waiting for an answer (measures.py).
STATUS_GROUPS = {"open": measures.AWAITING_ANSWER}
TIMING = ("on_time", "late")


@dataclass
class TicketFilters:
    """A queue's filters, read from (and written back to) the query string so views can be bookmarked."""

    status: str | None = None
    q: str | None = None
    urgency: str | None = None
    category: str | None = None
    province: str | None = None
    commune: str | None = None
    unit: str | None = None
    assignee: str | None = None
    sla_state: str | None = None
    first_response_state: str | None = None
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None
    sort: str | None = None
    answered_from: dt.date | None = None
    answered_to: dt.date | None = None
    answered: str | None = None  # on_time / late
    responded_from: dt.date | None = None  # the first response
    responded_to: dt.date | None = None
    responded: str | None = None  # on_time / late
    due: str | None = None  # this_week: waiting, with the answer deadline from now to the end of the week
    missed_from: dt.date | None = None  # answer deadline in these days, and missed (measures.missed)
    missed_to: dt.date | None = None
    outcome: str | None = None
    lacking: str | None = None  # "6 rõ": owner / deadline / outcome / any
    rated: str | None = None  # yes
    document: str | None = None  # the cited legal document, or "none"
    each: str | None = None  # "obstacle": every obstacle of a systemic issue, not one row per issue
    notes: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)  # the names of the chosen codes, for the pickers

    @classmethod
    def from_args(cls, args) -> TicketFilters:
        """The filters in a query string; a value that names nothing is reported in `notes` and ignored."""
        notes = []
        if hasattr(args, "to_dict"):  # a MultiDict: its first values (as its get), read without a KeyError each
            args = args.to_dict()

        def pick(name, allowed):
            value = (args.get(name) or "").strip()
            if value and value not in allowed:
                notes.append(_unknown(name, value))
            return value if value in allowed else None

        def code(name, max_length=40):
            value = (args.get(name) or "").strip()
            if len(value) > max_length:
                notes.append(_unknown(name, value))
            return value if value and len(value) <= max_length else None

        filters = cls(
            status=pick("status", {s.value for s in Status} | STATUS_GROUPS.keys()),
            q=(args.get("q") or "").strip()[:200] or None,
            urgency=pick("urgency", {u.value for u in Urgency}),
            category=code("category"), province=code("province", 5), commune=code("commune", 5),
            unit=code("unit"), sla_state=pick("sla_state", {s.value for s in SlaState}),
            first_response_state=pick("first_response_state", {s.value for s in SlaState}),
            sort=pick("sort", SORTS.keys()), notes=notes,
            answered=pick("answered", TIMING), responded=pick("responded", TIMING),
            due=pick("due", {"this_week"}), outcome=pick("outcome", {o.value for o in Outcome}),
            lacking=pick("lacking", {*measures.LACKING, "any"}), rated=pick("rated", {"yes"}),
            document=code("document", 120), each=pick("each", {"obstacle"}),
        )
        assignee = (args.get("assignee") or "").strip()
        if assignee in ("me", "none") or (assignee.isdigit() and len(assignee) < 10):
            filters.assignee = assignee
        elif assignee:
            notes.append(_unknown("assignee", assignee))
        for name in DATE_KEYS:
            raw = (args.get(name) or "").strip()
            if raw:
                setattr(filters, name, parse_date(raw))
                if getattr(filters, name) is None:
                    filters.notes.append(_l("The date “%(value)s” was not understood (write dd/mm/yyyy); "
                                            "that filter is ignored.", value=escape(raw[:20])))
        return filters

    def report_unknown(self, unknown: dict[str, str]) -> None:
        """Codes that name nothing (a mistyped link, a unit since removed) still filter, so nothing matches
        them; `notes` says why the list is empty."""
        for name, value in unknown.items():
            self.notes.append(_l("%(filter)s: “%(value)s” names nothing known, so no obstacle matches it.",
                                 filter=FILTER_NAMES.get(name, name), value=escape(value[:40])))

    def apply(self, query, user: User | None = None, now: dt.datetime | None = None):
        for condition in self._conditions(user):
            query = query.where(condition)
        for condition in self._kpi_conditions(now or utcnow()):
            query = query.where(condition)
        return query

    def _conditions(self, user):
        if self.status in STATUS_GROUPS:
            yield Ticket.status.in_(STATUS_GROUPS[self.status])
        elif self.status:
            yield Ticket.status == self.status
        if self.urgency:
            yield Ticket.urgency == self.urgency
        if self.category:
            yield Ticket.category_id == _id_of(Category, self.category)
        if self.province:
            yield Ticket.province_id == _id_of(Locality, self.province)
        if self.commune:
            yield Ticket.locality_id == _id_of(Locality, self.commune)
        if self.unit == "none":
            yield Ticket.lead_unit_id.is_(None)
        elif self.unit:
            yield Ticket.lead_unit_id == _id_of(Unit, self.unit)
        if self.assignee == "none":
            yield Ticket.assignee_id.is_(None)
        elif self.assignee == "me":
            yield Ticket.assignee_id == (user.id if user else None)
        elif self.assignee:
            yield Ticket.assignee_id == int(self.assignee)
        if self.sla_state:
            yield Ticket.sla_state == self.sla_state
        if self.first_response_state:
            yield Ticket.first_response_state == self.first_response_state
        if self.filed_from:
            yield Ticket.created_at >= local_midnight(self.filed_from)
        if self.filed_to:
            yield Ticket.created_at < local_midnight(self.filed_to + dt.timedelta(days=1))

    def _kpi_conditions(self, now: dt.datetime):
        """The dashboard's measures as list filters: a number and its list are one definition."""
        yield from _day_range(Ticket.answered_at, self.answered_from, self.answered_to)
        yield from _day_range(Ticket.first_responded_at, self.responded_from, self.responded_to)
        if self.answered:
            yield measures.answered_on_time() if self.answered == "on_time" else measures.answered_late()
        if self.responded:
            yield measures.responded_on_time() if self.responded == "on_time" else measures.responded_late()
        if self.due == "this_week":
            today = local_date(now)
            yield measures.due_before(local_midnight(today + dt.timedelta(days=7 - today.weekday())))
        if self.missed_from or self.missed_to:
            yield from _day_range(Ticket.answer_due_at, self.missed_from, self.missed_to)
            yield measures.missed()
        if self.outcome:
            yield measures.with_outcome(self.outcome)
        if self.lacking:
            yield measures.lacking(self.lacking)
        if self.rated:
            yield Ticket.rating.is_not(None)
        if self.document:
            yield Ticket.legal_document == ("" if self.document == "none" else self.document)

    def order(self, default: str = "newest"):
        return SORTS[self.sort or default]()

    def kpi_notes(self) -> list:
        """The dashboard's filters that are set, in words: a list reached from a number says what it holds."""
        day = "%d/%m/%Y"
        words = {
            "answered_from": lambda v: _l("answered from %(day)s", day=v.strftime(day)),
            "answered_to": lambda v: _l("answered until %(day)s", day=v.strftime(day)),
            "responded_from": lambda v: _l("first response from %(day)s", day=v.strftime(day)),
            "responded_to": lambda v: _l("first response until %(day)s", day=v.strftime(day)),
            "answered": lambda v: _l("answered on time") if v == "on_time" else _l("answered late"),
            "responded": lambda v: _l("first response on time") if v == "on_time" else _l("first response late"),
            "due": lambda v: _l("due this week"),
            "missed_from": lambda v: _l("deadline missed, due from %(day)s", day=v.strftime(day)),
            "missed_to": lambda v: _l("deadline missed, due until %(day)s", day=v.strftime(day)),
            "outcome": lambda v: Outcome(v).label,
            "lacking": lambda v: _l("lacking an owner, a deadline or an outcome"),
            "rated": lambda v: _l("rated"),
            "document": lambda v: _l("citing %(document)s", document=escape(v)) if v != "none"
            else _l("citing no legal document"),
        }
        return [words[key](getattr(self, key)) for key in KPI_KEYS if getattr(self, key)]

    def kpi_args(self) -> dict:
        """The dashboard's filters that are set, as query arguments: a list form keeps them when refiltered."""
        return {k: v for k, v in self.query_args().items() if k in KPI_KEYS}

    def query_args(self, **changes) -> dict:
        """The filters as query-string arguments (dates as dd/mm/yyyy), for links that keep the view."""
        args = {}
        for key in FILTER_KEYS:
            value = getattr(self, key)
            if isinstance(value, dt.date):
                value = value.strftime("%d/%m/%Y")
            if value:
                args[key] = value
        args.update(changes)
        return {k: v for k, v in args.items() if v}


def _day_range(column, first: dt.date | None, last: dt.date | None):
    """From the start of the local day `first` to the end of the local day `last` (either may be open)."""
    if first:
        yield column >= local_midnight(first)
    if last:
        yield column < local_midnight(last + dt.timedelta(days=1))


FILTER_NAMES = {
    "status": _l("Status"), "urgency": _l("Urgency"), "category": _l("Category"), "province": _l("Province"),
    "commune": _l("Commune"), "unit": _l("Lead unit"), "assignee": _l("Assignee"),
    "sla_state": _l("Deadline state"), "first_response_state": _l("First response"), "sort": _l("Sort by"),
}


def _unknown(name: str, value: str):
    """The note for a filter value that names nothing (escaped: it comes from the address bar)."""
    return _l("%(filter)s: “%(value)s” names nothing known; that filter is ignored.",
              filter=FILTER_NAMES.get(name, name), value=escape(value[:40]))


def _id_of(model, code: str):
    """The id for a code, as a subquery: an unknown code matches nothing, and costs no extra round trip."""
    return select(model.id).where(model.code == code).scalar_subquery()


EARLIER = Ticket.__table__.alias("earlier")


def _as_earlier(element, visibility=lambda _element: None):
    """A tickets column as the same column of EARLIER; subqueries (codes to ids, coordinating units) as they are;
    a locality's visibility as `visibility` (permissions.scope_copier) writes it for EARLIER."""
    if isinstance(element, SelectBase | ScalarSelect):
        return element
    copy = visibility(element)
    if copy is not None:  # its followed obstacles found by their followers (not ~2,400 ids again)
        return copy
    if isinstance(element, Column) and element.table is Ticket.__table__:
        return EARLIER.c[element.key]
    return None


def one_row_per_issue(query, as_earlier: list | None = None):
    """Obstacles linked to a systemic issue show as one row per issue: the first of them the list holds.

    Written as "no earlier obstacle of the same issue meets the same conditions" (NOT EXISTS on the issue's
    index), so the list still walks its sort index and stops after a page, where a GROUP BY over every
    matching row would have to read them all first. `as_earlier`: the query's conditions already copied onto
    EARLIER (earlier_conditions), for the status tabs of one scope, which copy it once.
    """
    same_issue = [EARLIER.c.systemic_issue_id == Ticket.systemic_issue_id, EARLIER.c.id < Ticket.id]
    same_issue.extend(earlier_conditions(query.whereclause) if as_earlier is None else as_earlier)
    return query.where(or_(Ticket.systemic_issue_id.is_(None), ~exists().where(*same_issue)))


def earlier_conditions(condition) -> list:
    """A condition on tickets as the same condition on EARLIER ([] for none), a locality's visibility as
    permissions.scope_copier writes it for EARLIER."""
    if condition is None:
        return []
    visibility = scope_copier(EARLIER)
    return [replacement_traverse(condition, {}, lambda element: _as_earlier(element, visibility))]


def _words(user: User, filters: TicketFilters):
    """`q` keeps the newest matches of its words (search.query.newest_matches): one query, whatever the tabs."""
    if not filters.q:
        return None
    matches = search_query.newest_matches(filters.q, user)
    if len(matches) >= search_query.CANDIDATES:
        filters.notes.append(_l("Only the %(count)d newest obstacles with these words were searched: add "
                                "words to narrow the search.", count=search_query.CANDIDATES))
    return id_among(Ticket.id, matches)  # one bound value, not a thousand


def _narrow(query, user: User, filters: TicketFilters, one_per_issue: bool):
    """The words of `q`, then a systemic issue's obstacles as one row (unless the list asks for each one)."""
    words = _words(user, filters)
    if words is not None:
        query = query.where(words)
    if one_per_issue and not filters.each:
        query = one_row_per_issue(query)
    return query


@functools.lru_cache(maxsize=32)
def _status(key: str):
    """A status tab's condition, built once (immutable; each list builds several)."""
    return Ticket.status.in_(STATUS_GROUPS[key]) if key in STATUS_GROUPS else Ticket.status == key


# The status tabs each queue offers; None is the queue without a status chosen (all, or all open ones).
ALL_TABS = (None, *Status)
OPEN_TABS = (None, *OPEN_STATUSES)


def _listing(scope, user: User, filters: TicketFilters, page: int | None, per_page: int | None, default_sort: str,
             tabs=(), when_no_status=None, one_per_issue: bool = True, loads=LIST_LOADS) -> BoundedPage:
    """One page of `scope` (the queue's tickets with every filter but the status and the words), with the
    bounded total and the tabs' counts in one round trip. `when_no_status` limits the queue with no status;
    `loads`: what the page's rows are loaded with."""
    words = _words(user, filters)
    if words is not None:
        return _matches_listing(scope.where(words), filters, page, per_page, default_sort, tabs, when_no_status,
                                one_per_issue, loads)

    per_issue = one_per_issue and not filters.each
    scope_as_earlier = earlier_conditions(scope.whereclause) if per_issue else []  # copied once for every tab

    def rows(key):
        condition = _status(key) if key else when_no_status
        query = scope if condition is None else scope.where(condition)
        return one_row_per_issue(query, scope_as_earlier + earlier_conditions(condition)) if per_issue else query

    current = filters.status
    keys = list(dict.fromkeys([*tabs, current]))
    caps = {key: paging.TAB_CAP for key in tabs if key != current}
    followed = _followed_counts(one_row_per_issue(scope, scope_as_earlier) if per_issue else scope, keys,
                                when_no_status)
    if followed is None:
        counts = bounded_counts({key: rows(key) for key in keys}, caps=caps)
    else:
        own = bounded_counts({key: scope_parts(rows(key))[0] for key in keys}, caps=caps)
        counts = {key: min(own[key] + followed[key], caps.get(key, paging.COUNT_CAP) + 1) for key in keys}
    listing = paginate(rows(current), filters.order(default_sort), page, per_page or current_app.config["PAGE_SIZE"],
                       counts[current], options=loads, joins_as_written=True)
    listing.tabs = {key: counts[key] for key in tabs}
    return listing


def _followed_counts(rows, keys, when_no_status) -> dict | None:
    """For a scope in two parts (permissions.scope_parts: a locality's own obstacles, and the few followed ones
    that are not its own), the followed part's count in each tab, from one read of its rows' statuses: counted
    tab by tab, each count would look up every followed obstacle again. None for a scope of one part."""
    parts = scope_parts(rows)
    if len(parts) == 1:
        return None
    in_default = (when_no_status if when_no_status is not None else literal(True)).label("in_default")
    found = db.session.execute(parts[1].with_only_columns(Ticket.status, in_default, maintain_column_froms=True)
                               .order_by(None)).all()
    counts = {}
    for key in keys:
        if key:
            wanted = {getattr(status, "value", status) for status in STATUS_GROUPS.get(key, [key])}
            counts[key] = sum(1 for status, _default in found if status in wanted)
        else:
            counts[key] = sum(1 for _status, default in found if default)
    return counts


def _matches_listing(scope, filters: TicketFilters, page: int | None, per_page: int | None, default_sort: str,
                     tabs, when_no_status, one_per_issue: bool, loads) -> BoundedPage:
    """_listing for a search: the words matched at most search_query.CANDIDATES obstacles, so their status and
    issue are read in one query and the tabs counted here (rather than a count per tab over a long list of
    ids); the page is then read by the ids of the chosen tab."""
    in_default = (when_no_status if when_no_status is not None else literal(True)).label("in_default")
    found = db.session.execute(scope.with_only_columns(Ticket.id, Ticket.status, Ticket.systemic_issue_id, in_default)
                               .order_by(Ticket.id)).all()

    def ids(key) -> list[int]:
        wanted = set(STATUS_GROUPS.get(key, [key])) if key else None
        kept, issues = [], set()
        for ticket_id, status, issue_id, default in found:
            if (status not in wanted) if wanted is not None else not default:
                continue
            if one_per_issue and not filters.each and issue_id is not None:
                if issue_id in issues:
                    continue
                issues.add(issue_id)
            kept.append(ticket_id)
        return kept

    current = filters.status
    chosen = ids(current)
    per_page = per_page or current_app.config["PAGE_SIZE"]
    total = min(len(chosen), paging.COUNT_CAP + 1)
    order = filters.order(default_sort)
    # The rows up to the page, ordered by their own columns alone; then only those are loaded with their names
    # (joining names to every chosen obstacle before sorting them cost PostgreSQL more than the search).
    number = min(max(page or 1, 1), BoundedPage([], 1, per_page, total).pages)
    firsts = select(Ticket.id).where(id_among(Ticket.id, chosen)).order_by(*order).limit(number * per_page)
    listing = paginate(select(Ticket).where(paging.id_in(firsts)), order, number, per_page, total,
                       options=loads)
    listing.tabs = {key: min(len(ids(key)), (paging.COUNT_CAP if key == current else paging.TAB_CAP) + 1)
                    for key in tabs}
    return listing


def _scope(user: User, filters: TicketFilters):
    """What the user may see, every filter applied but the status and the words (the listing adds them)."""
    scope = replace(filters, status=None, q=None).apply(visible_tickets(user), user)
    return scope_parts(scope)[0] if _pinned_to_own_locality(user, filters) else scope


def _pinned_to_own_locality(user: User, filters: TicketFilters) -> bool:
    """A filter naming the user's own province (or commune) leaves none of the followed obstacles, which are
    not its own: the list is its own part alone (permissions.scope_parts), and the database neither looks the
    followed ones up (a province follows ~2,400) only to drop them, nor plans a second part."""
    own = own_locality(user)
    if own is None or user.locality is None:
        return False
    chosen = filters.province if own[0] == "province_id" else filters.commune
    return chosen is not None and chosen == user.locality.code


def ticket_list(user: User, filters: TicketFilters, page: int | None = 1, one_per_issue: bool = True,
                per_page: int | None = None, tabs=ALL_TABS, loads=LIST_LOADS):
    """The general list: what the user may see, newest first unless sorted otherwise, tabs for every status
    (the API lists every obstacle, one_per_issue=False, shows no tabs, tabs=(), and loads SUMMARY_LOADS)."""
    return _listing(_scope(user, filters), user, filters, page, per_page, "newest", tabs=tabs,
                    one_per_issue=one_per_issue, loads=loads)


def list_query(user: User, filters: TicketFilters, one_per_issue: bool = False):
    """The list's rows before paging (exports list every obstacle of a systemic issue)."""
    return _narrow(filters.apply(visible_tickets(user), user), user, filters, one_per_issue)


# The API's stable orders for keyset pages: newest first (as the list), or by last change (for a sync).
KEYSET_ORDERS = {
    "newest": (Ticket.created_at, Ticket.id, "desc"),
    "updated": (Ticket.updated_at, Ticket.id, "asc"),
}


def ticket_keyset(user: User, filters: TicketFilters, *, order: str = "newest", after: tuple | None = None,
                  updated_since: dt.datetime | None = None, limit: int = 100) -> list[Ticket]:
    """Up to `limit` + 1 obstacles of the list for machines (every obstacle, no count): the filters, then
    those changed since `updated_since`, in the stable `order` after the key `after` (when, id) of the last
    row a client holds. Keyset pages neither skip nor repeat rows when obstacles are filed meanwhile."""
    when, ident, direction = KEYSET_ORDERS[order]
    query = list_query(user, filters)
    if updated_since is not None:
        query = query.where(Ticket.updated_at >= updated_since)
    if after is not None:
        moment, last_id = after
        if direction == "desc":
            query = query.where(or_(when < moment, and_(when == moment, ident < last_id)))
        else:
            query = query.where(or_(when > moment, and_(when == moment, ident > last_id)))
    sort = (when.desc(), ident.desc()) if direction == "desc" else (when.asc(), ident.asc())
    query = paging.first_rows(query, sort, limit + 1)  # a locality's own and followed obstacles, each by its index
    return list(db.session.scalars(query.order_by(*sort).options(*LIST_LOADS).limit(limit + 1)))


def triage_queue(user: User, page: int | None = 1, filters: TicketFilters | None = None,
                 per_page: int | None = None):
    """New tickets, oldest first."""
    filters = replace(filters or TicketFilters(), status=Status.NEW.value)
    return _listing(_scope(user, filters), user, filters, page, per_page, "age")


def triage_query(user: User, filters: TicketFilters, one_per_issue: bool = False):
    query = filters.apply(visible_tickets(user), user).where(Ticket.status == Status.NEW.value)
    return _narrow(query, user, filters, one_per_issue)


def _unit_scope(query, unit: Unit):
    """A unit's tickets, as lead or as coordinating unit."""
    coordinating = select(ticket_units.c.ticket_id).where(ticket_units.c.unit_id == unit.id)
    return query.where(or_(Ticket.lead_unit_id == unit.id, Ticket.id.in_(coordinating)))


def unit_queue(user: User, unit: Unit, filters: TicketFilters, page: int | None = 1, per_page: int | None = None):
    """A unit's tickets, as lead or as coordinating unit; open ones unless a status is chosen."""
    filters = replace(filters, unit=None)  # the queue's unit, not a lead-unit filter that would drop coordination
    return _listing(_unit_scope(_scope(user, filters), unit), user, filters, page, per_page, "deadline",
                    tabs=OPEN_TABS, when_no_status=Ticket.status.in_(OPEN_VALUES))


def unit_query(user: User, unit: Unit, filters: TicketFilters, one_per_issue: bool = False):
    filters = replace(filters, unit=None)
    query = _unit_scope(filters.apply(visible_tickets(user), user), unit)
    if not filters.status:
        query = query.where(Ticket.status.in_(OPEN_VALUES))
    return _narrow(query, user, filters, one_per_issue)


def my_work(user: User, filters: TicketFilters, page: int | None = 1, per_page: int | None = None):
    """Việc của tôi: the open tickets assigned to the user (finished ones too when that status is chosen)."""
    scope = _scope(user, filters).where(Ticket.assignee_id == user.id)
    return _listing(scope, user, filters, page, per_page, "deadline", tabs=OPEN_TABS,
                    when_no_status=Ticket.status.in_(OPEN_VALUES))


def my_work_query(user: User, filters: TicketFilters, one_per_issue: bool = False):
    query = filters.apply(visible_tickets(user), user).where(Ticket.assignee_id == user.id)
    if not filters.status:
        query = query.where(Ticket.status.in_(OPEN_VALUES))
    return _narrow(query, user, filters, one_per_issue)


def ticket_messages(user: User, ticket: Ticket, files: list[Attachment] | None = None) -> list[Message]:
    """The messages the user may read, with their files: from `files` (the ticket's, loaded already) when
    given, else by a query of their own."""
    query = (select(Message).where(Message.ticket_id == ticket.id).options(joinedload(Message.author))
             .order_by(Message.created_at, Message.id))
    if files is None:
        query = query.options(selectinload(Message.attachments))
    if not can_see_internal(user):
        query = query.where(Message.kind != MessageKind.NOTE.value)
    messages = list(db.session.scalars(query))
    if files is not None:
        by_message: dict[int, list[Attachment]] = {}
        for attachment in files:
            by_message.setdefault(attachment.message_id, []).append(attachment)
        for message in messages:
            set_committed_value(message, "attachments", by_message.get(message.id, []))
    return messages


def related_tickets(user: User, ticket: Ticket) -> tuple[list[Ticket], list[Ticket]]:
    """(linked obstacles, obstacles merged into this one) the user may see, in one query."""
    linked = select(TicketLink.other_id).where(TicketLink.ticket_id == ticket.id).union(
        select(TicketLink.ticket_id).where(TicketLink.other_id == ticket.id))
    merged = select(Ticket.id).where(Ticket.duplicate_of_id == ticket.id)
    # One IN over both id lists (each read by its index): an OR of the two would walk the whole table.
    related = select(TicketLink.other_id).where(TicketLink.ticket_id == ticket.id).union(
        select(TicketLink.ticket_id).where(TicketLink.other_id == ticket.id), merged)
    query = (visible_tickets(user).add_columns(Ticket.id.in_(linked)).where(Ticket.id.in_(related))
             .order_by(Ticket.id))
    rows = db.session.execute(query).all()
    return [t for t, linked_one in rows if linked_one], [t for t, _ in rows if t.duplicate_of_id == ticket.id]


def ticket_events(user: User, ticket: Ticket) -> list[Event]:
    query = (select(Event).where(Event.ticket_id == ticket.id).options(joinedload(Event.actor))
             .order_by(Event.created_at, Event.id))
    if not can_see_internal(user):
        query = query.where(Event.internal.is_(False))
    return list(db.session.scalars(query))


_ANY = object()


def ticket_attachments(ticket: Ticket, message_id=_ANY) -> list[Attachment]:
    """The ticket's files; message_id=None gives those filed with the obstacle itself."""
    query = select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(Attachment.id)
    if message_id is not _ANY:
        query = query.where(Attachment.message_id.is_(None) if message_id is None
                            else Attachment.message_id == message_id)
    return list(db.session.scalars(query))
