"""What the pickers offer, found as one types (accents optional: "hoan kiem" finds Phường Hoàn Kiếm) and
limited to what the user may use; and the names of the values a page already shows, in one round trip.
The 3,321 communes are never sent in a page: the picker asks for the few that match."""
from __future__ import annotations

from sqlalchemy import String, cast, false, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from .enums import LocalityLevel, Role
from .extensions import db
from .models import Category, Locality, Unit, User
from .permissions import is_team
from .text import fold

LIMIT = 20
TEXT_MAX = 100


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _locality_scope(user: User):
    """Team: every locality; a province coordinator: the province and its communes; a commune: itself."""
    if is_team(user):
        return None
    if user.role_enum is Role.PROVINCE and user.locality_id:
        return or_(Locality.id == user.locality_id, Locality.parent_id == user.locality_id)
    if user.role_enum is Role.COMMUNE and user.locality_id:
        return Locality.id == user.locality_id
    return false()


def find_localities(user: User, text: str = "", *, level: str | None = None, province: str | None = None,
                    limit: int = LIMIT) -> list[dict]:
    """Localities whose name (accents optional) or code matches, provinces first; `province` (a code)
    keeps that province's communes."""
    parent = aliased(Locality)
    query = select(Locality.code, Locality.name, Locality.level, parent.name).outerjoin(
        parent, Locality.parent_id == parent.id)
    scope = _locality_scope(user)
    if scope is not None:
        query = query.where(scope)
    words = _words(text)
    if len(words) == 1 and words[0].isdigit():  # a GSO code, or its beginning
        query = query.where(Locality.code.startswith(words[0]))
    else:
        for word in words:
            query = query.where(Locality.name_folded.like(_like(word), escape="\\"))
    if level in {lv.value for lv in LocalityLevel}:
        query = query.where(Locality.level == level)
    if province:
        query = query.where(parent.code == province)
    provinces_first = Locality.level.desc()  # "province" sorts after "commune"
    rows = db.session.execute(query.order_by(provinces_first, Locality.name).limit(limit))
    return [{"value": code, "text": name, "detail": parent_name or ""} for code, name, _lv, parent_name in rows]


def _words(text: str) -> list[str]:
    """The folded words of what one typed: each must appear, in any order ("to chuc bien che")."""
    return fold((text or "")[:TEXT_MAX]).split()[:8]


def _matching(rows, text: str, limit: int) -> list[dict]:
    """Filter a short list (units, categories, people) by folded words, in Python: tens of rows."""
    words = _words(text)
    found = [row for row in rows
             if all(word in fold(f"{row['text']} {row['value']} {row['detail']}") for word in words)]
    return found[:limit]


def find_units(text: str = "", limit: int = LIMIT) -> list[dict]:
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name))
    rows = [{"value": u.code, "text": u.name, "detail": u.name_en} for u in units]
    return _matching(rows, text, limit)


def find_categories(text: str = "", limit: int = LIMIT, active_only: bool = False) -> list[dict]:
    """Every category for filters (old obstacles keep retired ones); only the active ones for forms."""
    query = select(Category).order_by(Category.position, Category.id)
    if active_only:
        query = query.where(Category.active.is_(True))
    categories = db.session.scalars(query)
    rows = [{"value": c.code, "text": c.name, "detail": c.name_en} for c in categories]
    return _matching(rows, text, limit)


def find_specialists(text: str = "", unit: str | None = None, limit: int = LIMIT) -> list[dict]:
    """Active specialists with their unit: who may be assigned."""
    query = (select(User, Unit.name).join(Unit, User.unit_id == Unit.id)
             .where(User.role == Role.SPECIALIST.value, User.active.is_(True)).order_by(User.name, User.id))
    if unit:
        query = query.where(Unit.code == unit)
    rows = [{"value": str(u.id), "text": str(u), "detail": unit_name} for u, unit_name in db.session.execute(query)]
    return _matching(rows, text, limit)


_NAMED = {
    "category": (Category.code, Category.name, None),
    "unit": (Unit.code, Unit.name, None),
    "locality": (Locality.code, Locality.name, None),
    "province": (Locality.code, Locality.name, Locality.level == LocalityLevel.PROVINCE.value),
}


def names_of(**codes) -> dict[tuple[str, str], str]:
    """{(kind, code): name} for codes of kinds category, unit, locality, province and user (ids), in one
    UNION ALL round trip, none when no code is asked: how pages name what they store as codes."""
    parts = []
    for kind, values in codes.items():
        values = sorted({str(v) for v in values if v})
        if kind == "user":
            ids = [int(v) for v in values if v.isdigit() and len(v) < 10]
            if ids:
                label = func.coalesce(func.nullif(User.name, ""), User.email)
                parts.append(select(literal(kind), cast(User.id, String), label).where(User.id.in_(ids)))
        elif values:
            code_column, name_column, condition = _NAMED[kind]
            query = select(literal(kind), code_column, name_column).where(code_column.in_(values))
            parts.append(query if condition is None else query.where(condition))
    if not parts:
        return {}
    rows = db.session.execute(union_all(*parts) if len(parts) > 1 else parts[0])
    return {(kind, code): name for kind, code, name in rows}


# Which kind of row names each filter of the queues.
FILTER_KINDS = {"category": "category", "province": "province", "commune": "locality", "unit": "unit",
                "assignee": "user"}


def filter_labels(values: dict[str, str | None]) -> tuple[dict[str, str], dict[str, str]]:
    """({filter: name}, {filter: value that names nothing}) for the picker values a queue shows, in one
    round trip. `assignee` is a user id, or me / none."""
    wanted = {name: value for name, value in values.items() if value and value not in ("me", "none")}
    names = names_of(**{kind: [v for n, v in wanted.items() if FILTER_KINDS[n] == kind]
                        for kind in set(FILTER_KINDS.values())})
    labels = {name: names[(FILTER_KINDS[name], value)] for name, value in wanted.items()
              if (FILTER_KINDS[name], value) in names}
    unknown = {name: value for name, value in wanted.items() if name not in labels}
    return labels, unknown
