"""Admin: the working calendar of a year (holidays, make-up days, overrides) and the SLA policies."""
import datetime as dt

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import login_required
from sqlalchemy import select

from ... import calendar as working_calendar
from ... import permissions, sla, sla_policies
from ...enums import Role, SlaState
from ...extensions import db
from ...forms import put_error_on_form
from ...models import Category, SlaPolicy, utcnow
from ...tickets import DomainError
from .forms import DeleteForm, OverrideForm, PolicyForm
from .year import year_months

bp = Blueprint("sla_admin", __name__, url_prefix="/admin/sla")


@bp.app_template_global()
def sla_label(state: str):
    return SlaState(state).label if state in SlaState.__members__.values() else state


@bp.app_template_global()
def sla_left(due):
    """("left"/"overdue", amount, unit) of working time until `due`, with the calendar read once a request."""
    if due is None:
        return None
    if "working_calendar" not in g:
        g.working_calendar = working_calendar.load_calendar()
    return sla.describe_left(utcnow(), due, g.working_calendar)


@bp.get("")
@login_required
@permissions.role_required(Role.ADMIN)
def calendar():
    return _render_calendar(OverrideForm(formdata=None))


def _render_calendar(form, status=200):
    year = request.args.get("year", type=int) or utcnow().astimezone(sla.local_zone()).year
    if not working_calendar.FIRST_YEAR <= year <= working_calendar.LAST_YEAR:
        abort(404)
    overrides = working_calendar.year_overrides(year)
    return render_template(
        "sla_admin/calendar.html", year=year, form=form, delete_form=DeleteForm(), overrides=overrides,
        months=year_months(year, working_calendar.load_calendar(), overrides, str(get_locale())),
        holidays=working_calendar.public_holidays(year, str(get_locale())),
        makeup=working_calendar.makeup_days(year),
    ), status


@bp.post("/overrides")
@login_required
@permissions.role_required(Role.ADMIN)
def add_override():
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            working_calendar.set_override(form.day.data, form.kind.data == "working", form.reason.data)
        except DomainError as error:
            db.session.rollback()
            put_error_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The calendar was changed."), "success")
            return redirect(url_for(".calendar", year=form.day.data.year))
    return _render_calendar(form, 422)


@bp.post("/overrides/<day>/delete")
@login_required
@permissions.role_required(Role.ADMIN)
def delete_override(day):
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    if DeleteForm().validate_on_submit():
        try:
            working_calendar.remove_override(date)
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("The calendar was changed."), "success")
    return redirect(url_for(".calendar", year=date.year))


@bp.get("/policies")
@login_required
@permissions.role_required(Role.ADMIN)
def policies():
    return _render_policies(PolicyForm(formdata=None))


def _render_policies(form, status=200):
    defaults, overrides = sla_policies.policies_table()
    hours_per_day = working_calendar.load_calendar().minutes_per_day // 60
    return render_template("sla_admin/policies.html", form=form, defaults=defaults, overrides=overrides,
                           delete_form=DeleteForm(), hours_per_day=hours_per_day), status


@bp.post("/policies")
@login_required
@permissions.role_required(Role.ADMIN)
def save_policy():
    form = PolicyForm()
    if form.validate_on_submit():
        try:
            category = _category(form.category.data)
            sla_policies.save_policy(form.urgency.data, category, form.first_response_hours.data,
                                     form.answer_hours.data)
        except DomainError as error:
            db.session.rollback()
            put_error_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The SLA policy was saved. It applies to obstacles filed or re-triaged from now on."),
                  "success")
            return redirect(url_for(".policies"))
    return _render_policies(form, 422)


@bp.post("/policies/<int:policy_id>/delete")
@login_required
@permissions.role_required(Role.ADMIN)
def delete_policy(policy_id):
    policy = db.session.get(SlaPolicy, policy_id) or abort(404)
    if DeleteForm().validate_on_submit():
        try:
            sla_policies.delete_policy(policy)
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("The SLA policy was removed."), "success")
    return redirect(url_for(".policies"))


def _category(code):
    if not code:
        return None
    category = db.session.scalar(select(Category).where(Category.code == code, Category.active.is_(True)))
    if category is None:
        raise DomainError(_("Choose a category from the list."), "category")
    return category
