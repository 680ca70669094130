"""The work queues: the unit's queue and "my work" (the general list and triage queue live in their blueprints)."""
from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from ... import permissions, queries
from ...lookups import by_code
from ...models import Unit
from ..pages import render_queue
from ..paging import page_number

bp = Blueprint("queues", __name__, url_prefix="/queue")


@bp.get("/unit")
@login_required
@permissions.allowed_only(permissions.is_team)
def unit():
    filters = queries.TicketFilters.from_args(request.args)
    chosen = queue_unit(filters.unit)
    filters.unit = chosen.code if chosen else None
    page = queries.unit_queue(current_user, chosen, filters, page_number(request.args)) \
        if chosen else None
    return render_queue("queues/unit.html", page, filters, "queues.unit", unit=chosen,
                        may_pick_unit=permissions.can_triage(current_user))


def queue_unit(code: str | None) -> Unit | None:
    """Specialists see their own unit's queue; triage, lead and admin may pick any unit."""
    if not permissions.can_triage(current_user) or not code:
        return current_user.unit
    found = by_code(Unit, code)
    if found is None:
        abort(404)
    return found


@bp.get("/mine")
@login_required
@permissions.allowed_only(permissions.is_team)
def mine():
    filters = queries.TicketFilters.from_args(request.args)
    page = queries.my_work(current_user, filters, page_number(request.args))
    return render_queue("queues/mine.html", page, filters, "queues.mine")
