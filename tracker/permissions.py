"""Who may see and do what. Every ticket query starts from visible_tickets(user)."""
import json
from functools import wraps

from flask import abort, current_app, g, has_app_context, has_request_context, request
from flask_login import current_user
from sqlalchemy import Integer, Select, String, and_, any_, bindparam, exists, false, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from .enums import Role, Status, can_transition
from .extensions import db
from .models import SystemicIssue, Ticket, User


def visible_tickets(user: User, *, followed: bool = True) -> Select:
    """The one visibility scope: a select of the tickets this user may see.

    `followed=False` leaves out what a locality only follows (the main obstacles its own were merged into):
    its own obstacles, as its dashboard counts them.
    """
    query = select(Ticket)
    if is_team(user):
        return query
    own = _own_locality_clause(Ticket, user)
    if own is None:
        return query.where(false())
    if not followed:
        return query.where(own)
    main_ids = followed_main_ids(user)
    if not main_ids:
        return query.where(own)
    either = or_(own, id_among(Ticket.id, main_ids))
    if has_app_context():  # the parts the OR is made of, disjoint, for scope_parts (kept beside, not in, the
        # statement: an annotation would make SQLAlchemy compile every list statement afresh)
        known = g.setdefault(_PARTS, {})
        if len(known) >= _PARTS_KEPT:  # a long app context (a job) keeps only the latest scopes
            known.clear()
        followed = Ticket.id.in_(_followers(user, _FOLLOWERS))
        known[id(either)] = (either, (own, and_(followed, ~own)), own_locality(user))
    return query.where(either)


# Built once: an alias's column collection costs more to build than the rest of a list's statement.
_FOLLOWERS = Ticket.__table__.alias("followers")
_FOLLOWERS_OF_EARLIER = Ticket.__table__.alias("followers_of_earlier")


def _followers(user: User, followers) -> Select:
    """The main obstacles the user's own were merged into, from `followers` (an alias of tickets) through the
    followers' index (locality or province, main)."""
    kind, locality_id = own_locality(user)
    return select(followers.c.duplicate_of_id).where(followers.c[kind] == locality_id,
                                                     followers.c.duplicate_of_id.is_not(None))


_PARTS = "tracker_visibility_parts"
_PARTS_KEPT = 64


def scope_parts(query: Select) -> list[Select]:
    """A query built on visible_tickets as the disjoint queries its visibility is made of: for a locality that
    follows main obstacles, (its own obstacles, the followed ones that are not its own), every other
    condition kept in each; else [query].

    A list's page and its bounded counts read each part apart (paging.first_rows, paging.bounded_counts):
    PostgreSQL answers "own OR followed" with bitmaps over both that it cannot stop after a page (2.6 s for a
    province at 1,000,000 obstacles), while each part alone walks its index and stops. Only the query's own
    conditions are split; a copy of them inside a subquery (one_row_per_issue's NOT EXISTS) keeps the whole
    scope. A scope this app context no longer holds reads as one part: the same rows, only slower.
    """
    known = g.get(_PARTS, {}) if has_app_context() else {}
    criteria = query._where_criteria
    for index, criterion in enumerate(criteria):
        either, parts, _own = known.get(id(criterion), (None, (), None))
        if either is criterion:
            return [_with_criteria(query, (*criteria[:index], part, *criteria[index + 1:])) for part in parts]
    return [query]


def scope_copier(table):
    """A function giving, for visible_tickets' "own OR followed" condition, the same visibility for the rows of
    `table` (an alias of tickets), the followed ones found through the followers' index rather than by their
    ids; None for any other condition (the scopes this app context holds are read once, not per element).

    For the copy of a list's conditions its statement carries (one row per systemic issue: no earlier
    obstacle of the issue in the same list): written with the ids, each copy would send and plan a province's
    ~2,400 ids again (PostgreSQL estimates an array's every element while planning)."""
    known = dict(g.get(_PARTS, {})) if has_app_context() else {}

    def copy(criterion):
        either, _parts, own = known.get(id(criterion), (None, (), None))
        if either is not criterion:
            return None
        kind, locality_id = own
        followed = _FOLLOWERS_OF_EARLIER
        return or_(table.c[kind] == locality_id,
                   exists().where(followed.c[kind] == locality_id, followed.c.duplicate_of_id == table.c.id))

    return copy


def _with_criteria(query: Select, criteria: tuple) -> Select:
    split = query._generate()
    split._where_criteria = criteria
    return split


def id_among(column, ids: list[int]):
    """`column IN ids` as ONE bound value (a PostgreSQL array; a JSON list that SQLite's json_each reads): a
    province follows hundreds of obstacles, and a list's count repeats its scope in every status tab, so one
    parameter per id would cost SQLAlchemy more than the query costs the database (and near SQLite's limit
    of 32,766 parameters)."""
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer), unique=True))
    listed = func.json_each(bindparam(None, json.dumps(list(ids)), type_=String, unique=True)).table_valued("value")
    return column.in_(select(listed.c.value))


def followed_main_ids(user: User) -> list[int]:
    """A locality also follows the main obstacles its own obstacles were merged into (and nothing else).

    Those are few, so they are read first: an OR with a subquery would make PostgreSQL walk the whole
    table in list order instead of using the locality's index.
    """
    own = _own_locality_clause(Ticket, user)
    if own is None:
        return []
    memo = request.environ.setdefault("tracker.followed_main_ids", {}) if has_request_context() else {}
    if user.id not in memo:  # read once per request: a page's queries all start from visible_tickets
        memo[user.id] = list(db.session.scalars(select(Ticket.duplicate_of_id).distinct()
                                                .where(own, Ticket.duplicate_of_id.is_not(None))))
    return memo[user.id]


def own_locality(user: User) -> tuple[str, int] | None:
    """What makes a ticket a locality user's own: ("province_id" or "locality_id", the user's locality id).
    None for the team, and for a locality account without a locality (it sees nothing)."""
    if user.role_enum is Role.PROVINCE and user.locality_id:
        return "province_id", user.locality_id
    if user.role_enum is Role.COMMUNE and user.locality_id:
        return "locality_id", user.locality_id
    return None


def _own_locality_clause(model, user: User):
    own = own_locality(user)
    return None if own is None else getattr(model, own[0]) == own[1]


def is_own_locality(user: User, ticket: Ticket) -> bool:
    """The filing locality (or its province): not a locality that only follows a merged main obstacle."""
    if user.role_enum is Role.PROVINCE:
        return user.locality_id is not None and ticket.province_id == user.locality_id
    if user.role_enum is Role.COMMUNE:
        return user.locality_id is not None and ticket.locality_id == user.locality_id
    return False


def find_visible_ticket(user: User, reference: str | None) -> Ticket | None:
    """The visible ticket a user names by reference (another obstacle to merge into or link to), or None:
    one the user may not see reads exactly like one that does not exist."""
    reference = (reference or "").strip().upper()[:30]
    if not reference:
        return None
    return db.session.scalar(visible_tickets(user).where(Ticket.reference == reference))


def get_visible_ticket(user: User, reference: str, *, for_update: bool = False, options=()) -> Ticket:
    """The single-ticket loader: 404 for what the user may not see. `options`: what to load with it (an
    obstacle's page loads its names and files in the same statement)."""
    query = visible_tickets(user).where(Ticket.reference == reference).options(*options)
    if for_update:
        query = query.with_for_update()
    ticket = db.session.scalars(query).unique().first()
    if ticket is None:
        abort(404)
    return ticket


def allowed_only(predicate):
    """Log in first, then only users the predicate admits (can_triage, is_team, is_admin...); others get
    404, so the route's existence is not disclosed."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not predicate(current_user):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_team(user: User) -> bool:
    return user.role_enum.is_team


def is_admin(user: User) -> bool:
    return user.role_enum is Role.ADMIN


def can_file(user: User) -> bool:
    return user.role_enum.is_locality and user.locality_id is not None


def can_triage(user: User) -> bool:
    """Who works the triage queue: the one predicate routes, templates and the API ask."""
    return user.role_enum.may_triage


def can_see_dashboard(user: User) -> bool:
    """The team sees the country, a specialist their unit, a province coordinator their province; a commune
    officer's own list is their whole picture already."""
    if is_team(user):
        return user.role_enum is not Role.SPECIALIST or user.unit_id is not None
    return user.role_enum is Role.PROVINCE and user.locality is not None and user.locality.is_province


def can_see_internal(user: User) -> bool:
    return is_team(user)


def can_reply(user: User, ticket: Ticket) -> bool:
    """The team answers; the filing locality (and its province) writes back while the ticket is open."""
    if not ticket.is_open:
        return False
    if is_team(user):
        return user.role_enum is not Role.SPECIALIST or _works_on(user, ticket)
    return is_own_locality(user, ticket)


def can_add_note(user: User, ticket: Ticket) -> bool:
    return is_team(user)


def can_work_on(user: User, ticket: Ticket) -> bool:
    """Triage, lead and admin; or a specialist of the lead unit, or the assignee (not coordinating units)."""
    return can_triage(user) or (user.role_enum is Role.SPECIALIST and _leads(user, ticket))


def _leads(user: User, ticket: Ticket) -> bool:
    return ticket.assignee_id == user.id or (user.unit_id is not None and ticket.lead_unit_id == user.unit_id)


def _works_on(user: User, ticket: Ticket) -> bool:
    if ticket.assignee_id == user.id:
        return True
    if user.unit_id is None:
        return False
    return ticket.lead_unit_id == user.unit_id or any(u.id == user.unit_id for u in ticket.coordinating_units)


def can_set_triage_fields(user: User, ticket: Ticket) -> bool:
    return can_triage(user) and ticket.status_enum in (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS)


# The workflow actions (DESIGN.md's life of an obstacle). Routes and templates use the same predicates.

def can_start(user: User, ticket: Ticket) -> bool:
    return ticket.status_enum is Status.ASSIGNED and can_work_on(user, ticket)


def can_answer(user: User, ticket: Ticket) -> bool:
    return ticket.status_enum in (Status.ASSIGNED, Status.IN_PROGRESS) and can_work_on(user, ticket)


def can_ask_locality(user: User, ticket: Ticket) -> bool:
    return can_transition(ticket.status_enum, Status.AWAITING_LOCALITY) and can_work_on(user, ticket)


def can_confirm(user: User, ticket: Ticket) -> bool:
    return ticket.status_enum is Status.ANSWERED and is_own_locality(user, ticket)


def can_reopen(user: User, ticket: Ticket) -> bool:
    return can_confirm(user, ticket)


def can_rate(user: User, ticket: Ticket) -> bool:
    """The filing locality rates an answer once."""
    return (ticket.status_enum in (Status.ANSWERED, Status.CLOSED) and ticket.answered_at is not None
            and ticket.rating is None and is_own_locality(user, ticket))


def can_mark_duplicate(user: User, ticket: Ticket) -> bool:
    return can_triage(user) and can_transition(ticket.status_enum, Status.DUPLICATE)


def can_transfer(user: User, ticket: Ticket) -> bool:
    return can_triage(user) and can_transition(ticket.status_enum, Status.TRANSFERRED)


def can_link(user: User, ticket: Ticket) -> bool:
    return can_triage(user)


def can_download(user: User, attachment) -> bool:
    """The ticket is visible already (the loader 404s otherwise); a note's files are the team's only."""
    return attachment.message is None or not attachment.message.is_internal or can_see_internal(user)


# Systemic issues: the team sees them all; a locality sees an issue one of its own obstacles is linked to
# (its title, answer and how many localities asked), never another locality's obstacle.

def visible_issues(user: User) -> Select:
    query = select(SystemicIssue)
    if is_team(user):
        return query
    linked = visible_tickets(user).with_only_columns(Ticket.systemic_issue_id).where(
        Ticket.systemic_issue_id.is_not(None))
    return query.where(SystemicIssue.id.in_(linked))


def get_visible_issue(user: User, code: str, *, for_update: bool = False) -> SystemicIssue:
    """The single-issue loader: 404 for what the user may not see."""
    query = visible_issues(user).where(SystemicIssue.code == (code or "").strip().upper())
    if for_update:
        query = query.with_for_update()
    issue = db.session.scalars(query).first()
    if issue is None:
        abort(404)
    return issue


def can_manage_issues(user: User) -> bool:
    """Create, link, unlink and route systemic issues: whoever triages."""
    return can_triage(user)


def can_answer_issue(user: User, issue: SystemicIssue) -> bool:
    """Triage, or a specialist of the issue's lead unit (or its assignee), while the issue is unanswered."""
    if issue.is_answered:
        return False
    if can_triage(user):
        return True
    return user.role_enum is Role.SPECIALIST and (
        issue.assignee_id == user.id or (user.unit_id is not None and issue.lead_unit_id == user.unit_id))
