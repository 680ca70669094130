"""The work queues: the unit's queue and "my work" (the general list and triage queue live in their blueprints)."""
from flask import Blueprint, abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import permissions, queries
from ...lookups import by_code
from ...models import Unit
from ...paging import BoundedPage
from ..pages import QueueTable, per_page, render_queue
from ..paging import page_number

bp = Blueprint("queues", __name__, url_prefix="/queue")
EMPTY = BoundedPage([], 1, 25, 0)  # a specialist without a unit has no unit queue


@bp.get("/unit")
@login_required
@permissions.allowed_only(permissions.is_team)
def unit():
    filters = queries.TicketFilters.from_args(request.args)
    chosen = queue_unit(filters.unit)
    filters.unit = chosen.code if chosen else None
    number = page_number(request.args)

    def listing():
        return queries.unit_queue(current_user, chosen, filters, number, per_page=per_page()) if chosen else EMPTY

    heading = _("Unit queue") + (f": {chosen.name}" if chosen else "")
    return render_queue("queues/unit.html", listing, filters, "queues.unit", saved_page="unit",
                        default_sort="deadline", keep={"unit": chosen.code} if chosen else {}, unit=chosen,
                        may_pick_unit=permissions.can_triage(current_user), heading=heading,
                        table=QueueTable(caption=heading, all_label=_("All open"), hide=("unit",)))


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
    return render_queue("queues/mine.html", lambda: queries.my_work(
        current_user, filters, page_number(request.args), per_page=per_page()), filters, "queues.mine",
        saved_page="mine", default_sort="deadline",
        table=QueueTable(caption=_("My work"), all_label=_("All open"), hide=("assignee",)))
