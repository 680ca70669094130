"""The triage queue, bulk triage, filing on behalf of a locality, and triaging one obstacle."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ... import permissions, queries
from ...bulk import bulk_triage
from ...extensions import db
from ...intake import file_on_behalf
from ...lookups import by_code, chosen
from ...models import Category, Locality, Unit, utcnow
from ...submissions import AlreadySubmitted
from ...tickets import chosen_assignee, triage_ticket
from ..actions import perform
from ..forms import redisplay_on_csrf_error
from ..limits import filing_limit
from ..pages import QueueTable, per_page, render_queue, render_ticket
from ..paging import page_number
from .forms import BulkForm, OnBehalfForm, TriageForm

bp = Blueprint("triage", __name__, url_prefix="/triage")


@bp.get("")
@login_required
@permissions.allowed_only(permissions.can_triage)
def queue(bulk_form=None, status=200):
    filters = queries.TicketFilters.from_args(request.args)
    filters.status = None  # the triage queue is the new tickets
    if bulk_form is not None:  # sent back with what was chosen; a fresh one is in the page once (fresh_bulk_form)
        bulk_form.fill_choices()
    return render_queue("triage/queue.html", lambda: queries.triage_queue(
        current_user, page_number(request.args), filters, per_page=per_page()), filters, "triage.queue", status,
        saved_page="triage", default_sort="age", bulk_form=bulk_form, fresh_bulk_form=fresh_bulk_form,
        table=QueueTable(caption=_("Triage queue"), all_label=_("All"), hide=("status",), selectable=True,
                         suggest=True))


def fresh_bulk_form() -> BulkForm:
    """The empty bulk form: the queue renders it once per process and language (web.layout_fragment)."""
    form = BulkForm(formdata=None)
    form.fill_choices()
    return form


@bp.post("/bulk")
@login_required
@permissions.allowed_only(permissions.can_triage)
def bulk():
    form = BulkForm()
    if not form.validate_on_submit():
        abort(400)
    references = request.form.getlist("tickets")
    versions = {r: request.form.get(f"version-{r}") for r in references}

    def action():
        return len(bulk_triage(current_user, references, versions, action=form.action.data, unit=form.unit.data,
                               assignee=form.assignee.data, urgency=form.urgency.data, now=utcnow()))

    result = perform(action, form, summary=lambda reason: _("Nothing was changed: %(reason)s", reason=reason))
    if not result.ok:
        return queue(bulk_form=form, status=422)
    flash(_("%(count)d obstacles were updated.", count=result.value), "success")
    return redirect(url_for("triage.queue", **_safe_args(request.args)))


def _safe_args(args) -> dict:
    """The queue's filters to return to after a bulk action."""
    return {k: v for k, v in args.items() if k in queries.FILTER_KEYS or k in ("page", "per_page")}


@bp.route("/new", methods=["GET", "POST"])
@login_required
@permissions.allowed_only(permissions.can_triage)
@filing_limit
@redisplay_on_csrf_error
def new():
    categories = db.session.scalars(select(Category).where(Category.active.is_(True))
                                    .order_by(Category.position)).all()
    form = OnBehalfForm()
    form.fill_choices(categories)
    if form.validate_on_submit():
        result = perform(lambda: file_on_behalf(
            current_user, locality=by_code(Locality, form.locality.data),
            category=next((c for c in categories if c.code == form.category.data), None),
            title=form.title.data, description=form.description.data, legal_basis=form.legal_basis.data,
            requested_urgency=form.urgency.data, channel=form.channel.data,
            incoming_doc_number=form.incoming_doc_number.data,
            incoming_doc_date=form.incoming_doc_date.data, files=request.files.getlist("attachments"),
            submission=form.submission.data,
        ), form)
        if isinstance(result.error, AlreadySubmitted):
            return redirect(url_for("tickets.show", reference=result.error.reference))
        if result.ok:
            flash(_("The obstacle was filed as %(reference)s.", reference=result.value.reference), "success")
            return redirect(url_for("tickets.show", reference=result.value.reference))
    return render_template("triage/new.html", form=form), 422 if request.method == "POST" else 200


@bp.post("/<reference>")
@login_required
@permissions.allowed_only(permissions.can_triage)
@redisplay_on_csrf_error
def update(reference: str):
    ticket = permissions.get_visible_ticket(current_user, reference, for_update=True)
    form = TriageForm.for_ticket(ticket, formdata=request.form)
    if form.validate_on_submit():
        result = perform(lambda: triage_ticket(
            current_user, ticket, version=form.version.data,
            category=chosen(Category, form.category.data, "category"), urgency=form.urgency.data,
            lead_unit=chosen(Unit, form.lead_unit.data, "lead_unit"), assignee=chosen_assignee(form.assignee.data),
            due_date=form.due_date.data,
            coordinating_units=[chosen(Unit, code, "coordinating_units")
                                for code in form.coordinating_units.data or []],
        ), form)
        if result.ok:
            flash(_("The obstacle was triaged."), "success")
            return redirect(url_for("tickets.show", reference=reference))
        if result.stale:
            db.session.refresh(ticket)
            form.version.data = ticket.version
    return render_ticket(ticket, triage_form=form, status=422)

