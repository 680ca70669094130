"""Systemic issues: the list, an issue's page, and creating, linking, routing and answering (triage)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import permissions, systemic, systemic_queries
from ...extensions import db
from ...lookups import chosen
from ...models import Category, Ticket, Unit
from ...search import similar
from ...tickets import chosen_assignee
from ..actions import perform
from ..forms import redisplay_on_csrf_error
from ..paging import page_number
from .forms import IssueAnswerForm, LinkForm, NewIssueForm, RouteForm, UnlinkForm, references_in

bp = Blueprint("systemic", __name__, url_prefix="/systemic")


@bp.app_template_global()
def ticket_suggestions(ticket):
    """For triage on an obstacle's page: the most similar open obstacles and systemic issues."""
    if not (permissions.can_manage_issues(current_user) and ticket.is_open):
        return []
    return similar.similar_to_ticket(current_user, ticket)


@bp.get("")
@login_required
def index(form=None, status_code=200):
    status = request.args.get("status") or None
    page = systemic_queries.issue_list(current_user, status, page_number(request.args))
    if form is None and permissions.can_manage_issues(current_user):
        form = NewIssueForm(formdata=None)
    return render_template("systemic/index.html", page=page, status=status, form=form), status_code


@bp.post("")
@login_required
@permissions.allowed_only(permissions.can_manage_issues)
@redisplay_on_csrf_error
def create():
    """From an obstacle's page, a queue's selection (`tickets` values) or typed references."""
    form = NewIssueForm()
    if form.validate_on_submit():
        wanted = request.form.getlist("tickets") + references_in(form.references.data)
        result = perform(lambda: systemic.create_issue(current_user, title=form.title.data,
                                                       tickets=tickets_by_reference(wanted),
                                                       field="references"), form)
        if result.ok:
            flash(_("The systemic issue %(code)s was created with %(count)d obstacles.", code=result.value.code,
                    count=result.value.ticket_count), "success")
            return redirect(url_for("systemic.show", code=result.value.code))
    return index(form=form, status_code=422)


def tickets_by_reference(references: list[str]) -> list[Ticket | None]:
    """The obstacles the user may see, in the order given, locked; None where a reference names none of them."""
    wanted = list(dict.fromkeys(r.strip().upper()[:20] for r in references if r and r.strip()))
    found = {t.reference: t for t in db.session.scalars(
        permissions.visible_tickets(current_user).where(Ticket.reference.in_(wanted)).with_for_update())}
    return [found.get(r) for r in wanted]


@bp.get("/<code>")
@login_required
def show(code: str):
    return _render(permissions.get_visible_issue(current_user, code))


def _render(issue, status=200, **forms):
    may_manage = permissions.can_manage_issues(current_user)
    tickets = systemic_queries.issue_tickets(current_user, issue, page_number(request.args))
    if may_manage and not issue.is_answered and "route_form" not in forms:
        forms["route_form"] = RouteForm.for_issue(issue)
    if permissions.can_answer_issue(current_user, issue) and "answer_form" not in forms:
        forms["answer_form"] = IssueAnswerForm(formdata=None, version=issue.version)
    if may_manage and "link_form" not in forms:
        forms["link_form"] = LinkForm(formdata=None)
    return render_template("systemic/show.html", issue=issue, tickets=tickets, may_manage=may_manage,
                           unlink_form=UnlinkForm(formdata=None), **forms), status


def _managed_issue(code: str):
    return permissions.get_visible_issue(current_user, code, for_update=True)


@bp.post("/<code>/tickets")
@login_required
@permissions.allowed_only(permissions.can_manage_issues)
def link(code: str):
    issue = _managed_issue(code)
    form = LinkForm()
    if form.validate_on_submit():
        ticket = tickets_by_reference([form.reference.data])[0]
        if perform(lambda: systemic.link_ticket(current_user, issue, ticket), form).ok:
            flash(_("%(reference)s was linked to %(code)s.", reference=ticket.reference, code=issue.code), "success")
            return redirect(_back(request.form.get("back"), ticket, issue))
    return _render(issue, 422, link_form=form)


def _back(where: str | None, ticket, issue) -> str:
    """Where a one-click link returns: the obstacle's page, the triage queue, or the issue's page."""
    if where == "ticket":
        return url_for("tickets.show", reference=ticket.reference)
    if where == "queue":
        return url_for("triage.queue")
    return url_for("systemic.show", code=issue.code)


@bp.post("/<code>/unlink")
@login_required
@permissions.allowed_only(permissions.can_manage_issues)
def unlink(code: str):
    issue = _managed_issue(code)
    form = UnlinkForm()
    if form.validate_on_submit():
        ticket = tickets_by_reference([form.reference.data])[0]
        if perform(lambda: systemic.unlink_ticket(current_user, issue, ticket)).ok:
            flash(_("%(reference)s was unlinked from %(code)s.", reference=ticket.reference, code=issue.code),
                  "success")
    return redirect(url_for("systemic.show", code=issue.code))


@bp.post("/<code>/route")
@login_required
@permissions.allowed_only(permissions.can_manage_issues)
@redisplay_on_csrf_error
def route(code: str):
    issue = _managed_issue(code)
    form = RouteForm.for_issue(issue, formdata=request.form)
    if form.validate_on_submit():
        result = perform(lambda: systemic.route_issue(current_user, issue, systemic.Routing(
            title=form.title.data, category=chosen(Category, form.category.data, "category"),
            lead_unit=chosen(Unit, form.lead_unit.data, "lead_unit"), assignee=chosen_assignee(form.assignee.data),
            due_on=form.due_on.data), version=form.version.data), form)
        if result.ok:
            flash(_("The systemic issue was saved; %(count)d obstacles follow its routing.", count=result.value),
                  "success")
            return redirect(url_for("systemic.show", code=issue.code))
        db.session.refresh(issue)
        form.version.data = issue.version
    return _render(issue, 422, route_form=form)


@bp.post("/<code>/answer")
@login_required
@redisplay_on_csrf_error
def answer(code: str):
    issue = permissions.get_visible_issue(current_user, code, for_update=True)
    if not permissions.can_answer_issue(current_user, issue):
        flash(_("You may not answer this systemic issue now."), "danger")
        return _render(issue, 422)
    form = IssueAnswerForm()
    if form.validate_on_submit():
        result = perform(lambda: systemic.answer_issue(
            current_user, issue, version=form.version.data, body=form.body.data, outcome=form.outcome.data,
            reply_doc_number=form.reply_doc_number.data, reply_doc_date=getattr(form, "parsed_doc_date", None),
            files=request.files.getlist("attachments")), form)
        if result.ok:
            flash(_("The answer was sent to the %(count)d obstacles of this issue.", count=result.value), "success")
            return redirect(url_for("systemic.show", code=issue.code))
        db.session.refresh(issue)
        form.version.data = issue.version
    return _render(issue, 422, answer_form=form)
