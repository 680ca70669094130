"""Published guidance: public pages without login (/guidance, /guidance/<id>, the Atom feed), and publishing,
updating and withdrawing for triage."""
import datetime as dt

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ... import guidance, permissions
from ...extensions import db
from ...lookups import by_code, chosen
from ...models import Category, Guidance, Ticket
from ..actions import perform
from ..forms import redisplay_on_csrf_error
from ..paging import page_number
from .forms import GuidanceForm

bp = Blueprint("guidance", __name__, url_prefix="/guidance")
FEED_SIZE = 50


@bp.app_template_filter("atom_time")
def atom_time(moment) -> str:
    """RFC 3339 in UTC, as Atom writes times (an empty feed: the epoch)."""
    return (moment or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.get("")
def index():
    q = (request.args.get("q") or "").strip()[:200]
    category = by_code(Category, request.args.get("category"))
    query = guidance.matching(guidance.published(), q)
    if category is not None:
        query = query.where(Guidance.category_id == category.id)
    page = db.paginate(query, page=page_number(request.args),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    categories = db.session.scalars(select(Category).order_by(Category.position)).all()
    return render_template("guidance/index.html", page=page, q=q, category=category, categories=categories)


@bp.get("/<int:guidance_id>")
def show(guidance_id: int):
    item = db.session.get(Guidance, guidance_id)
    if item is None:
        abort(404)
    team = current_user.is_authenticated and permissions.can_triage(current_user)
    if not item.is_published and not team:
        return render_template("errors/error.html", code=410, message=_("This guidance was withdrawn.")), 410
    return render_template("guidance/show.html", item=item, team=team)


@bp.get("/feed.atom")
def feed():
    items = db.session.scalars(guidance.published().limit(FEED_SIZE)).all()
    response = make_response(render_template("guidance/feed.xml", items=items,
                                             base_url=current_app.config["BASE_URL"]))
    response.mimetype = "application/atom+xml"
    return response


def _source():
    """The answered obstacle (?ticket=) or systemic issue (?issue=) to publish, as the user may see it."""
    reference, code = request.args.get("ticket"), request.args.get("issue")
    if code:
        return guidance.draft_from_issue(permissions.get_visible_issue(current_user, code))
    ticket = db.session.scalar(permissions.visible_tickets(current_user).where(
        Ticket.reference == (reference or "").strip().upper()))
    if ticket is None:
        abort(404)
    return guidance.draft_from_ticket(ticket)


def _draft(form, base) -> guidance.Draft:
    return guidance.Draft(title=form.title.data, question=form.question.data, answer=form.answer.data,
                          category=chosen(Category, form.category.data, "category"),
                          legal_basis=form.legal_basis.data or "", reply_doc_number=form.reply_doc_number.data or "",
                          reply_doc_date=form.reply_doc_date.data, source_ticket=base.source_ticket,
                          source_issue=base.source_issue, names=base.names)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@permissions.allowed_only(permissions.can_triage)
@redisplay_on_csrf_error
def new():
    base = _source()
    form = GuidanceForm()
    form.fill_choices()
    if request.method == "GET":
        form.fill_from(base)
    elif form.validate_on_submit():
        result = perform(lambda: guidance.publish(current_user, _draft(form, base),
                                                  keep_names=bool(form.keep_names.data)), form)
        if result.ok:
            flash(_("The guidance was published."), "success")
            return redirect(url_for("guidance.show", guidance_id=result.value.id))
    status = 422 if request.method == "POST" else 200
    return render_template("guidance/form.html", form=form, source=base, item=None,
                           refusal=guidance.refusal(base)), status


@bp.route("/<int:guidance_id>/edit", methods=["GET", "POST"])
@login_required
@permissions.allowed_only(permissions.can_triage)
@redisplay_on_csrf_error
def edit(guidance_id: int):
    item = db.get_or_404(Guidance, guidance_id)
    form = GuidanceForm()
    form.fill_choices()
    if request.method == "GET":
        form.fill_from(item)
        form.keep_names.data = item.names_kept
    elif form.validate_on_submit():
        draft = _draft(form, guidance.Draft(source_ticket=item.source_ticket, source_issue=item.source_issue))
        if perform(lambda: guidance.update(current_user, item, draft, keep_names=bool(form.keep_names.data)),
                   form).ok:
            flash(_("The guidance was updated."), "success")
            return redirect(url_for("guidance.show", guidance_id=item.id))
    status = 422 if request.method == "POST" else 200
    return render_template("guidance/form.html", form=form, source=None, item=item, refusal=None), status


@bp.post("/<int:guidance_id>/withdraw")
@login_required
@permissions.allowed_only(permissions.can_triage)
def withdraw(guidance_id: int):
    item = db.get_or_404(Guidance, guidance_id)
    if perform(lambda: guidance.withdraw(current_user, item)).ok:
        flash(_("The guidance was withdrawn: it is no longer public."), "success")
    return redirect(url_for("guidance.show", guidance_id=item.id))
