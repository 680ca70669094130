"""Saved views: a queue's filters kept under a name by one user. A view is a query string, so the link it
opens can be shared: whoever follows it sees the same filters over what they may see."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from . import data_version
from .errors import DomainError
from .extensions import db
from .models import SavedView, User
from .queries import FILTER_KEYS

PAGES = ("tickets", "triage", "unit", "mine")
KEYS = (*FILTER_KEYS, "per_page")
NAME_MAX = 80
QUERY_MAX = 1000
PER_USER_MAX = 50


def clean_query(args) -> str:
    """The filters of a query string, in a stable order, without paging or anything unknown."""
    pairs = [(key, value.strip()) for key in KEYS for value in args.getlist(key) if value and value.strip()]
    return urlencode(pairs)


@dataclass(frozen=True)
class ShownView:
    """A saved view as a queue page lists it."""

    id: int
    name: str
    query: str


def views_of(user: User, page: str) -> list[ShownView]:
    """The user's views of `page` by name, from this process's copy while no saved view has changed anywhere
    (data_version.VIEWS, read along with the session's user: no statement of its own then)."""
    def read() -> list[ShownView]:
        rows = db.session.execute(select(SavedView.id, SavedView.name, SavedView.query)
                                  .where(SavedView.user_id == user.id, SavedView.page == page).order_by(SavedView.name))
        return [ShownView(*row) for row in rows]

    return data_version.cached(("saved views", user.id, page), read, name=data_version.VIEWS)


def own_view(user: User, view_id: int) -> SavedView | None:
    """The user's own view, or None (another user's views are not theirs to change)."""
    return db.session.scalar(select(SavedView).where(SavedView.id == view_id, SavedView.user_id == user.id))


def save_view(user: User, *, page: str, name: str, query: str) -> SavedView:
    """Keep the view under `name`; saving again under the same name replaces it."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_l("Give the view a name."), "name")
    if len(name) > NAME_MAX:
        raise DomainError(_l("At most %(max)d characters.", max=NAME_MAX), "name")
    if page not in PAGES:
        raise DomainError(_l("This page cannot be saved as a view."), "page")
    if len(query or "") > QUERY_MAX:
        raise DomainError(_l("These filters are too long to save."), "name")
    view = db.session.scalar(select(SavedView).where(SavedView.user_id == user.id, SavedView.name == name))
    if view is None:
        count = db.session.scalar(select(func.count(SavedView.id)).where(SavedView.user_id == user.id))
        if count >= PER_USER_MAX:
            raise DomainError(_l("You already keep %(max)d views: delete one first.", max=PER_USER_MAX), "name")
        view = SavedView(user_id=user.id, name=name)
        db.session.add(view)
    view.page, view.query = page, query or ""
    db.session.flush()
    return view


def delete_view(user: User, view: SavedView) -> None:
    if view.user_id != user.id:
        raise DomainError(_l("This view is not yours."))
    db.session.delete(view)
    db.session.flush()
