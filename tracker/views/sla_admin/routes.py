"""Admin: the working calendar of a year (holidays, make-up days, overrides) and the SLA policies."""
import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...localtime import local_date
from ...lookups import chosen
from ...models import Category, SlaPolicy, utcnow
from ...worktime import calendar as working_calendar
from ...worktime import overrides
from ...worktime import policies as sla_policies
from ..actions import perform
from ..admin.shared import admins_only
from .forms import DeleteForm, OverrideForm, PolicyForm
from .year import year_months

bp = Blueprint("sla_admin", __name__, url_prefix="/admin/sla")
CHOOSE_CATEGORY = _l("Choose a category from the list.")


bp.before_request(admins_only)


@bp.get("")
def calendar():
    return _render_calendar(OverrideForm(formdata=None))


def _render_calendar(form, status=200):
    year = request.args.get("year", type=int) or local_date(utcnow()).year
    if not working_calendar.FIRST_YEAR <= year <= working_calendar.LAST_YEAR:
        abort(404)
    year_overrides = working_calendar.year_overrides(year)
    return render_template(
        "sla_admin/calendar.html", year=year, form=form, delete_form=DeleteForm(), overrides=year_overrides,
        months=year_months(year, working_calendar.load_calendar(), year_overrides, str(get_locale())),
        holidays=working_calendar.public_holidays(year, str(get_locale())),
        makeup=working_calendar.makeup_days(year),
    ), status


@bp.post("/overrides")
def add_override():
    form = OverrideForm()
    if form.validate_on_submit() and perform(lambda: overrides.set_override(
            form.day.data, form.kind.data == "working", form.reason.data), form).ok:
        flash(_("The calendar was changed."), "success")
        return redirect(url_for(".calendar", year=form.day.data.year))
    return _render_calendar(form, 422)


@bp.post("/overrides/<day>/delete")
def delete_override(day):
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    if DeleteForm().validate_on_submit() and perform(lambda: overrides.remove_override(date)).ok:
        flash(_("The calendar was changed."), "success")
    return redirect(url_for(".calendar", year=date.year))


@bp.get("/policies")
def policies():
    return _render_policies(PolicyForm(formdata=None))


def _render_policies(form, status=200):
    defaults, category_policies = sla_policies.policies_table()
    hours_per_day = working_calendar.load_calendar().minutes_per_day // 60
    return render_template("sla_admin/policies.html", form=form, defaults=defaults, overrides=category_policies,
                           delete_form=DeleteForm(), hours_per_day=hours_per_day), status


@bp.post("/policies")
def save_policy():
    form = PolicyForm()
    if form.validate_on_submit() and perform(lambda: sla_policies.save_policy(
            form.urgency.data, chosen(Category, form.category.data, "category", CHOOSE_CATEGORY),
            form.first_response_hours.data, form.answer_hours.data), form).ok:
        flash(_("The SLA policy was saved. It applies to obstacles filed or re-triaged from now on."), "success")
        return redirect(url_for(".policies"))
    return _render_policies(form, 422)


@bp.post("/policies/<int:policy_id>/delete")
def delete_policy(policy_id):
    policy = db.session.get(SlaPolicy, policy_id) or abort(404)
    if DeleteForm().validate_on_submit() and perform(lambda: sla_policies.delete_policy(policy)).ok:
        flash(_("The SLA policy was removed."), "success")
    return redirect(url_for(".policies"))
