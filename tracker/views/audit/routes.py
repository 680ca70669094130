"""Admin: the audit trail, newest first, filtered by who, what and when."""
from flask import Blueprint, current_app, render_template, request

from ... import audit
from ...enums import AuditAction
from ..admin.shared import admins_only
from ..paging import page_number
from .forms import AuditFilterForm

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
bp.before_request(admins_only)


@bp.get("")
def index():
    form = AuditFilterForm(request.args)
    form.validate()
    action = form.valid("action")
    filters = audit.AuditFilters(actor=form.valid("actor"), action=AuditAction(action) if action else None,
                                 date_from=form.valid("date_from"), date_to=form.valid("date_to"))
    page = page_number(request.args)
    entries, has_older = audit.entries(filters, page, current_app.config["PAGE_SIZE"])
    return render_template("audit/index.html", form=form, entries=entries, page=page,
                           has_older=has_older), 422 if form.errors else 200
