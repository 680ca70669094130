"""Filing, the lists, an obstacle's page, replies and notes, and starting work."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import permissions, queries
from ...enums import Role
from ...lookups import by_code
from ...models import Locality
from ...submissions import AlreadySubmitted
from ...tickets import allowed_localities_for, file_ticket, filing_categories, filing_category, post_message, start_work
from ..actions import perform
from ..forms import redisplay_on_csrf_error
from ..limits import filing_limit
from ..pages import QueueTable, per_page, render_queue, render_ticket, render_ticket_page
from ..paging import page_number
from .forms import ActionForm, MessageForm, TicketForm

bp = Blueprint("tickets", __name__, url_prefix="/tickets")


@bp.get("")
@login_required
def index():
    filters = queries.TicketFilters.from_args(request.args)
    return render_queue("tickets/index.html", lambda: queries.ticket_list(
        current_user, filters, page_number(request.args), per_page=per_page()), filters, "tickets.index",
        saved_page="tickets", table=QueueTable(caption=_("Obstacles"), all_label=_("All")))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@filing_limit
@redisplay_on_csrf_error
def new():
    if not permissions.can_file(current_user):
        abort(404)
    localities = allowed_localities_for(current_user)
    form = TicketForm()
    form.fill_choices(filing_categories(), localities)
    choose_locality = current_user.role_enum is Role.PROVINCE
    if form.validate_on_submit():
        locality = by_code(Locality, form.locality.data) if choose_locality else current_user.locality
        result = perform(lambda: file_ticket(
            current_user, locality=locality,
            category=filing_category(form.category.data),
            title=form.title.data, description=form.description.data, legal_basis=form.legal_basis.data,
            requested_urgency=form.urgency.data, files=request.files.getlist("attachments"),
            submission=form.submission.data).reference, form)  # read before the commit expires the obstacle
        if isinstance(result.error, AlreadySubmitted):
            return redirect(url_for("tickets.show", reference=result.error.reference))
        if result.ok:
            flash(_("Your obstacle was filed as %(reference)s.", reference=result.value), "success")
            return redirect(url_for("tickets.show", reference=result.value))
    status = 422 if request.method == "POST" else 200  # a POST that reaches here was refused
    return render_template("tickets/new.html", form=form, choose_locality=choose_locality), status


@bp.get("/<reference>")
@login_required
def show(reference: str):
    return render_ticket_page(reference)


@bp.post("/<reference>/messages")
@login_required
@redisplay_on_csrf_error
def message(reference: str):
    ticket = permissions.get_visible_ticket(current_user, reference, for_update=True)
    form = MessageForm()
    if form.validate_on_submit():
        internal = bool(form.internal.data) and permissions.can_add_note(current_user, ticket)
        if perform(lambda: post_message(current_user, ticket, body=form.body.data, internal=internal,
                                        files=request.files.getlist("attachments")), form).ok:
            flash(_("Your message was sent."), "success")
            return redirect(url_for("tickets.show", reference=reference))
    return render_ticket(ticket, message_form=form, status=422)


@bp.post("/<reference>/start")
@login_required
def start(reference: str):
    ticket = permissions.get_visible_ticket(current_user, reference, for_update=True)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if perform(lambda: start_work(current_user, ticket, version=form.version.data)).ok:
        flash(_("You started working on this obstacle."), "success")
    return redirect(url_for("tickets.show", reference=reference))
