"""What a dashboard shows: whose obstacles (the user's scope) and which ones (period, category, province,
unit), read from the query string with every refusal worded for the user.

Scope: the team's roles see the country; a specialist their unit (as lead unit); a province coordinator
the obstacles of the province and its communes. A commune officer has no dashboard: their list is theirs
already, and the weekly report gives them their status.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import select

from .enums import LocalityLevel, Role
from .extensions import db
from .localtime import local_midnight
from .models import Category, Locality, Unit, User
from .permissions import can_see_dashboard
from .queries import parse_date

TREND_WEEKS = 12
DEFAULT_WEEKS = 4  # the default period: this week and the three before (the trend shows twelve)
EARLIEST = dt.date(2000, 1, 1)


class OutOfScope(Exception):
    """Asked for a province or unit outside the user's scope: the page and the API answer 404."""


@dataclass(frozen=True)
class Period:
    """Whole local days, first to last included."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        return local_midnight(self.last + dt.timedelta(days=1))

    def args(self, prefix: str) -> dict:
        return {f"{prefix}_from": self.first.strftime("%d/%m/%Y"), f"{prefix}_to": self.last.strftime("%d/%m/%Y")}


def default_period(today: dt.date) -> Period:
    monday = today - dt.timedelta(days=today.weekday())
    return Period(monday - dt.timedelta(weeks=DEFAULT_WEEKS - 1), today)


@dataclass
class StatsFilters:
    """The dashboard's filters, after the user's scope fixed what it fixes."""

    period: Period
    category: Category | None = None
    province: Locality | None = None
    unit: Unit | None = None
    level: str = "country"  # country / unit / province: what the user's scope is
    errors: dict = field(default_factory=dict)  # field name -> message; that filter is not applied

    def scope_args(self) -> dict:
        """The filters as /tickets query arguments: the base of every number's link."""
        return {name: obj.code for name, obj in (("category", self.category), ("province", self.province),
                                                 ("unit", self.unit)) if obj is not None}

    def query_args(self) -> dict:
        """The dashboard's own query string (for links that keep the view, and the weekly report)."""
        return {"from": self.period.first.strftime("%d/%m/%Y"), "to": self.period.last.strftime("%d/%m/%Y"),
                **self.scope_args()}

    @property
    def by_commune(self) -> bool:
        """A province's dashboard breaks its numbers down by commune, the country's by province."""
        return self.province is not None


def read_filters(user: User, args, today: dt.date) -> StatsFilters:
    """The filters from a query string. Raises OutOfScope for a province or unit the user may not see."""
    filters = StatsFilters(default_period(today))
    _read_period(filters, args, today)
    filters.category = _known(filters, args, "category", Category,
                              lambda value: _l("There is no category “%(value)s”.", value=value))
    filters.province = _known(filters, args, "province", Locality,
                              lambda value: _l("There is no province “%(value)s”.", value=value),
                              Locality.level == LocalityLevel.PROVINCE.value)
    filters.unit = _known(filters, args, "unit", Unit, lambda value: _l("There is no unit “%(value)s”.", value=value))
    _fix_scope(user, filters)
    return filters


def _read_period(filters: StatsFilters, args, today: dt.date) -> None:
    first, last = filters.period.first, filters.period.last
    for name in ("from", "to"):
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        day = parse_date(raw)
        if day is None or not EARLIEST <= day <= today + dt.timedelta(days=366):
            filters.errors[name] = _l("The date “%(value)s” was not understood (write dd/mm/yyyy).",
                                      value=escape(raw[:20]))
        elif name == "from":
            first = day
        else:
            last = day
    if last < first:
        filters.errors["to"] = _l("The period ends (%(last)s) before it starts (%(first)s).",
                                  last=last.strftime("%d/%m/%Y"), first=first.strftime("%d/%m/%Y"))
        return
    if not filters.errors:
        filters.period = Period(first, last)


def _known(filters: StatsFilters, args, name: str, model, unknown, *conditions):
    code = (args.get(name) or "").strip()
    if not code:
        return None
    found = db.session.scalars(select(model).where(model.code == code[:40], *conditions)).first()
    if found is None:
        filters.errors[name] = unknown(escape(code[:40]))
    return found


def _fix_scope(user: User, filters: StatsFilters) -> None:
    """A province coordinator sees their province, a specialist their unit; anything else asked is 404."""
    if not can_see_dashboard(user):
        raise OutOfScope
    if user.role_enum is Role.PROVINCE:
        if filters.province is not None and filters.province.id != user.locality_id:
            raise OutOfScope
        filters.province, filters.level = user.locality, "province"
    elif user.role_enum is Role.SPECIALIST:
        if filters.unit is not None and filters.unit.id != user.unit_id:
            raise OutOfScope
        filters.unit, filters.level = user.unit, "unit"
