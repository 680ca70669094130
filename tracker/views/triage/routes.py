from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ... import permissions, queries
from ...enums import Role
from ...extensions import db
from ...forms import put_error_on_form, redisplay_on_csrf_error
from ...models import Category, Unit, User
from ...tickets import DomainError, StaleTicket, triage_ticket
from .forms import TriageForm

bp = Blueprint("triage", __name__, url_prefix="/triage")
TRIAGE_ROLES = (Role.TRIAGE, Role.LEAD, Role.ADMIN)


@bp.get("")
@login_required
@permissions.role_required(*TRIAGE_ROLES)
def queue():
    page = queries.triage_queue(current_user, request.args.get("page", 1, type=int))
    return render_template("triage/queue.html", page=page)


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
