"""Admin pages for the catalog: units, categories and routing rules. Admins only; others get 404."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ... import catalog
from ...extensions import db
from ...lookups import chosen
from ...models import Category, Locality, RoutingRule, Unit
from ...routing import Strategy
from ..actions import perform
from .forms import ButtonForm, CategoryForm, RuleForm, UnitForm
from .shared import admins_only, form_data, save

bp = Blueprint("catalog", __name__, url_prefix="/admin")
bp.before_request(admins_only)
NO_LOCALITY = _l("No province or commune has this code.")


@bp.get("/units")
def units():
    rows = db.session.scalars(select(Unit).order_by(Unit.is_external, Unit.name)).all()
    return render_template("admin/units.html", units=rows)


@bp.route("/units/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def edit_unit(unit_id):
    unit = db.get_or_404(Unit, unit_id) if unit_id else None
    form = UnitForm(data=form_data(unit, ("code", "name", "name_en", "email", "is_external", "active")))
    return save(form, lambda: catalog.save_unit(
        unit, code=form.code.data, name=form.name.data, name_en=form.name_en.data or "",
        email=form.email.data or "", is_external=form.is_external.data, active=form.active.data),
        _("The unit was saved."), url_for("catalog.units"), unit.name if unit else _("New unit"))


@bp.get("/categories")
def categories():
    rows = db.session.scalars(select(Category).options(joinedload(Category.default_unit))
                              .order_by(Category.position, Category.id)).all()
    return render_template("admin/categories.html", categories=rows)


@bp.route("/categories/new", methods=["GET", "POST"], defaults={"category_id": None})
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def edit_category(category_id):
    category = db.get_or_404(Category, category_id) if category_id else None
    form = CategoryForm(data=form_data(category, ("code", "name", "name_en", "default_unit", "position", "active")))
    form.fill_choices()
    return save(form, lambda: catalog.save_category(
        category, code=form.code.data, name=form.name.data, name_en=form.name_en.data or "",
        default_unit=chosen(Unit, form.default_unit.data, "default_unit"), position=form.position.data or 0,
        active=form.active.data), _("The category was saved."), url_for("catalog.categories"),
        category.name if category else _("New category"))


@bp.get("/rules")
def rules():
    rows = db.session.scalars(select(RoutingRule).options(
        joinedload(RoutingRule.category), joinedload(RoutingRule.province), joinedload(RoutingRule.unit))
        .order_by(RoutingRule.position, RoutingRule.id)).all()
    return render_template("admin/rules.html", rules=rows, button=ButtonForm(), strategies=Strategy)


@bp.route("/rules/new", methods=["GET", "POST"], defaults={"rule_id": None})
@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
def edit_rule(rule_id):
    rule = db.get_or_404(RoutingRule, rule_id) if rule_id else None
    form = RuleForm(data=form_data(rule, ("position", "category", "province", "keyword", "unit", "strategy",
                                          "active")))
    form.fill_choices()
    return save(form, lambda: catalog.save_rule(
        rule, position=form.position.data, category=chosen(Category, form.category.data, "category"),
        province=chosen(Locality, form.province.data, "province", NO_LOCALITY), keyword=form.keyword.data,
        unit=chosen(Unit, form.unit.data, "unit"), strategy=form.strategy.data, active=form.active.data),
        _("The routing rule was saved."), url_for("catalog.rules"),
        _("Routing rule #%(id)d", id=rule.id) if rule else _("New routing rule"))


def _button(action, success: str):
    """A POST button on the rules page: CSRF, one domain action, flash, back to the list."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    if perform(action).ok:
        flash(success, "success")
    return redirect(url_for("catalog.rules"))


@bp.post("/rules/<int:rule_id>/delete")
def delete_rule(rule_id):
    rule = db.get_or_404(RoutingRule, rule_id)
    return _button(lambda: catalog.delete_rule(rule), _("The routing rule was deleted."))


@bp.post("/rules/<int:rule_id>/move/<direction>")
def move_rule(rule_id, direction):
    rule = db.get_or_404(RoutingRule, rule_id)
    return _button(lambda: catalog.move_rule(rule, direction), _("The routing rules were reordered."))


@bp.post("/rules/from-categories")
def rules_from_categories():
    return _button(catalog.rules_from_category_defaults, _("Rules were created from the categories' default units."))
