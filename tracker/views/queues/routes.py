"""The work queues: the unit's queue and "my work" (the general list and triage queue live in their blueprints)."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from ... import permissions, queries
from ...enums import Role
from ...extensions import db
from ...models import Category, Unit, User

bp = Blueprint("queues", __name__, url_prefix="/queue")
TEAM_ROLES = tuple(permissions.TEAM_ROLES)


def filter_choices() -> dict:
    """What the filter form offers: three small queries, whatever the page size."""
    return {
        "categories": db.session.scalars(select(Category).order_by(Category.position)).all(),
        "units": db.session.scalars(select(Unit).order_by(Unit.name)).all(),
        "assignees": db.session.scalars(select(User).where(User.role == Role.SPECIALIST.value)
                                        .order_by(User.name)).all(),
    }


def render_queue(template: str, page, filters, endpoint: str, **context):
    choices = filter_choices() if permissions.is_team(current_user) else {}
    return render_template(template, page=page, filters=filters, endpoint=endpoint, choices=choices,
                           sort_labels=queries.SORT_LABELS, **context)


@bp.get("/unit")
@login_required
@permissions.role_required(*TEAM_ROLES)
def unit():
    filters = queries.TicketFilters.from_args(request.args)
    chosen = _queue_unit(filters.unit)
    filters.unit = chosen.code if chosen else None
    page = queries.unit_queue(current_user, chosen, filters, request.args.get("page", 1, type=int)) \
        if chosen else None
    return render_queue("queues/unit.html", page, filters, "queues.unit", unit=chosen,
                        may_pick_unit=permissions.can_triage(current_user))


def _queue_unit(code: str | None) -> Unit | None:
    """Specialists see their own unit's queue; triage, lead and admin may pick any unit."""
    if not permissions.can_triage(current_user) or not code:
        return current_user.unit
    found = db.session.scalar(select(Unit).where(Unit.code == code))
    if found is None:
        abort(404)
    return found


@bp.get("/mine")
@login_required
@permissions.role_required(*TEAM_ROLES)
def mine():
    filters = queries.TicketFilters.from_args(request.args)
    page = queries.my_work(current_user, filters, request.args.get("page", 1, type=int))
    return render_queue("queues/mine.html", page, filters, "queues.mine")
