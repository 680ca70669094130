from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ... import permissions, queries
from ...enums import Role
from ...extensions import db
from ...bulk import bulk_assign, bulk_set_urgency, load_for_bulk
from ...forms import put_error_on_form, redisplay_on_csrf_error
from ...intake import file_on_behalf
from ...models import Category, Unit, User, utcnow
from ...tickets import DomainError, StaleTicket, triage_ticket
from .forms import BulkForm, OnBehalfForm, TriageForm

bp = Blueprint("triage", __name__, url_prefix="/triage")
TRIAGE_ROLES = (Role.TRIAGE, Role.LEAD, Role.ADMIN)


@bp.get("")
@login_required
@permissions.role_required(*TRIAGE_ROLES)
def queue(bulk_form=None, status=200):
    from ..queues.routes import render_queue

    filters = queries.TicketFilters.from_args(request.args)
    filters.status = None  # the triage queue is the new tickets
    page = queries.triage_queue(current_user, request.args.get("page", 1, type=int), filters)
    if bulk_form is None:
        bulk_form = BulkForm(formdata=None)
    bulk_form.fill_choices()
    return render_queue("triage/queue.html", page, filters, "triage.queue", bulk_form=bulk_form), status


@bp.post("/bulk")
@login_required
@permissions.role_required(*TRIAGE_ROLES)
def bulk():
    form = BulkForm()
    if not form.validate_on_submit():
        abort(400)
    references = request.form.getlist("tickets")
    versions = {r: request.form.get(f"version-{r}") for r in references}
    try:
        tickets = load_for_bulk(current_user, references)
        if form.action.data == "urgency":
            bulk_set_urgency(current_user, tickets, versions, urgency=form.urgency.data, now=utcnow())
        else:
            bulk_assign(current_user, tickets, versions, now=utcnow(),
                        unit=_by_code(Unit, form.unit.data, "unit"), assignee=_user(form.assignee.data))
    except DomainError as error:
        db.session.rollback()
        if error.field in ("unit", "assignee", "urgency"):
            put_error_on_form(form, error)  # also beside its field; the flash names the ticket
        flash(_("Nothing was changed: %(reason)s", reason=error.message), "danger")
        return queue(bulk_form=form, status=422)
    db.session.commit()
    flash(_("%(count)d obstacles were updated.", count=len(tickets)), "success")
    return redirect(url_for("triage.queue", **_safe_args(request.args)))


def _safe_args(args) -> dict:
    """The queue's filters to return to after a bulk action."""
    return {k: v for k, v in args.items() if k in queries.FILTER_KEYS or k == "page"}


@bp.route("/new", methods=["GET", "POST"])
@login_required
@permissions.role_required(*TRIAGE_ROLES)
@redisplay_on_csrf_error
def new():
    categories = db.session.scalars(select(Category).where(Category.active.is_(True))
                                    .order_by(Category.position)).all()
    form = OnBehalfForm()
    form.fill_choices(categories)
    if form.validate_on_submit():
        try:
            ticket = file_on_behalf(
                current_user, locality=queries.locality_by_code(form.locality.data),
                category=next((c for c in categories if c.code == form.category.data), None),
                title=form.title.data, description=form.description.data, legal_basis=form.legal_basis.data,
                requested_urgency=form.urgency.data, channel=form.channel.data,
                incoming_doc_number=form.incoming_doc_number.data,
                incoming_doc_date=queries.parse_date(form.incoming_doc_date.data),
            )
        except DomainError as error:
            db.session.rollback()
            put_error_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The obstacle was filed as %(reference)s.", reference=ticket.reference), "success")
            return redirect(url_for("tickets.show", reference=ticket.reference))
    return render_template("triage/new.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.post("/<reference>")
@login_required
@permissions.role_required(*TRIAGE_ROLES)
@redisplay_on_csrf_error
def update(reference: str):
    ticket = permissions.get_visible_ticket(current_user, reference, for_update=True)
    form = TriageForm.for_ticket(ticket, formdata=request.form)
    if form.validate_on_submit():
        try:
            triage_ticket(
                current_user, ticket, version=form.version.data,
                category=_by_code(Category, form.category.data, "category"),
                urgency=form.urgency.data,
                lead_unit=_by_code(Unit, form.lead_unit.data, "lead_unit"),
                assignee=_user(form.assignee.data),
                due_date=form.due_date.data,
                coordinating_units=[_by_code(Unit, code, "coordinating_units")
                                    for code in form.coordinating_units.data or []],
            )
        except DomainError as error:
            db.session.rollback()
            put_error_on_form(form, error)
            if isinstance(error, StaleTicket):
                db.session.refresh(ticket)
                form.version.data = ticket.version
        else:
            db.session.commit()
            flash(_("The obstacle was triaged."), "success")
            return redirect(url_for("tickets.show", reference=reference))
    from ..tickets.routes import _render_ticket

    return _render_ticket(ticket, triage_form=form, status=422)


def _by_code(model, code: str | None, field: str):
    """Look up by code; a code that names nothing is an error, not 'none chosen'."""
    if not code:
        return None
    found = db.session.scalar(select(model).where(model.code == code))
    if found is None:
        raise DomainError(_("Choose a value from the list."), field)
    return found


def _user(value: str | None):
    if not value:
        return None
    user = db.session.get(User, int(value)) if value.isdigit() and len(value) < 10 else None
    if user is None:
        raise DomainError(_("The assignee must be an active specialist of the lead unit."), "assignee")
    return user
