"""Saved views: keep the current filters of a queue under a name, open them again, delete them."""
from urllib.parse import parse_qsl

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from ... import saved_views
from ..actions import perform
from .forms import DeleteViewForm, SaveViewForm

bp = Blueprint("saved_views", __name__, url_prefix="/saved-views")
# Which page each saved view opens.
ENDPOINTS = {"tickets": "tickets.index", "triage": "triage.queue", "unit": "queues.unit", "mine": "queues.mine"}


def view_url(page: str, query: str) -> str:
    return url_for(ENDPOINTS[page]) + (f"?{query}" if query else "")


@bp.post("")
@login_required
def save():
    form = SaveViewForm()
    page = form.page.data if form.page.data in ENDPOINTS else "tickets"
    query = saved_views.clean_query(_args_of(form.query.data or ""))
    if not form.validate_on_submit():
        reasons = " ".join(str(e) for errors in form.errors.values() for e in errors)
        flash(_("The view was not saved: %(reason)s", reason=reasons), "danger")
    elif perform(lambda: saved_views.save_view(current_user, page=page, name=form.name.data, query=query),
                 summary=lambda reason: _("The view was not saved: %(reason)s", reason=reason)).ok:
        flash(_("The view “%(name)s” was saved.", name=" ".join(form.name.data.split())), "success")
    return redirect(view_url(page, query))


@bp.post("/<int:view_id>/delete")
@login_required
def delete(view_id: int):
    view = saved_views.own_view(current_user, view_id)
    if view is None:
        abort(404)
    if not DeleteViewForm().validate_on_submit():
        abort(400)
    page, query = view.page, view.query
    if perform(lambda: saved_views.delete_view(current_user, view)).ok:
        flash(_("The view was deleted."), "success")
    return redirect(view_url(page, query))


def _args_of(query: str) -> MultiDict:
    return MultiDict(parse_qsl(query.lstrip("?"), keep_blank_values=False))
