"""The catalog admins keep: handling units, categories and routing rules."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from . import audit
from .accounts import normalise_email
from .enums import AuditAction
from .errors import DomainError
from .extensions import db
from .models import Category, Locality, RoutingRule, Ticket, Unit
from .routing import Strategy

CODE_RE = re.compile(r"^[a-z0-9_]{2,40}$")
UNIT_FIELDS = ("code", "name", "name_en", "email", "is_external", "active")
CATEGORY_FIELDS = ("code", "name", "name_en", "default_unit", "position", "active")
RULE_FIELDS = ("position", "category", "province", "keyword", "unit", "strategy", "active")
NAME_MAX = 200
KEYWORD_MAX = 100
EMAIL_MAX = 254


def _code(model, code: str, current=None) -> str:
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise DomainError(_l("A code is 2 to 40 lower-case letters, digits or underscores."), "code")
    taken = db.session.scalar(select(model.id).where(model.code == code))
    if taken is not None and (current is None or taken != current.id):
        raise DomainError(_l("This code is already used."), "code")
    return code


def _text(value: str | None, field: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_l("This field is required."), field)
    if len(value) > max_length:
        raise DomainError(_l("At most %(max)d characters.", max=max_length), field)
    return value


def save_unit(unit: Unit | None, *, code: str, name: str, name_en: str = "", email: str = "",
              is_external: bool = False, active: bool = True) -> Unit:
    """Create (unit None) or edit a handling unit."""
    unit = unit or Unit()
    before = audit.snapshot(unit, UNIT_FIELDS)
    unit.code = _code(Unit, code, unit if unit.id else None)
    unit.name = _text(name, "name", NAME_MAX)
    unit.name_en = _text(name_en, "name_en", NAME_MAX, required=False)
    email = _text(email, "email", EMAIL_MAX, required=False)
    unit.email = normalise_email(email) if email else None
    unit.is_external, unit.active = bool(is_external), bool(active)
    db.session.add(unit)
    db.session.flush()
    audit.record(AuditAction.UNIT_SAVED, target=unit, details=audit.changes(before, audit.snapshot(unit, UNIT_FIELDS)))
    return unit


def save_category(category: Category | None, *, code: str, name: str, name_en: str = "",
                  default_unit: Unit | None = None, position: int | None = 0, active: bool = True) -> Category:
    category = category or Category()
    before = audit.snapshot(category, CATEGORY_FIELDS)
    category.code = _code(Category, code, category if category.id else None)
    category.name = _text(name, "name", NAME_MAX)
    category.name_en = _text(name_en, "name_en", NAME_MAX, required=False)
    if default_unit is not None and not default_unit.active:
        raise DomainError(_l("This unit is not active."), "default_unit")
    category.default_unit = default_unit
    category.position = _position(position)
    category.active = bool(active)
    db.session.add(category)
    db.session.flush()
    audit.record(AuditAction.CATEGORY_SAVED, target=category,
                 details=audit.changes(before, audit.snapshot(category, CATEGORY_FIELDS)))
    return category


def _position(position) -> int:
    if not isinstance(position, int) or not 0 <= position <= 100_000:
        raise DomainError(_l("Enter a whole number from 0 to 100000."), "position")
    return position


def save_rule(rule: RoutingRule | None, *, position: int | None, category: Category | None,
              province: Locality | None, keyword: str | None, unit: Unit | None, strategy: str,
              active: bool = True) -> RoutingRule:
    """Create or edit a routing rule; a rule must match on something and name an active unit."""
    keyword = _text(keyword, "keyword", KEYWORD_MAX, required=False) or None
    if province is not None and not province.is_province:
        raise DomainError(_l("Enter the code of a province."), "province")
    if category is None and province is None and keyword is None:
        raise DomainError(_l("A rule matches on a category, a province or a keyword."), "category")
    if unit is None or not unit.active:
        raise DomainError(_l("Choose an active unit."), "unit")
    if strategy not in {s.value for s in Strategy}:
        raise DomainError(_l("Choose a value from the list."), "strategy")
    rule = rule or RoutingRule()
    before = audit.snapshot(rule, RULE_FIELDS)
    if position is None:
        position = (db.session.scalar(select(func.max(RoutingRule.position))) or 0) + 10
    rule.position = _position(position)
    rule.category, rule.province, rule.keyword, rule.unit = category, province, keyword, unit
    if rule.strategy != strategy:
        rule.last_assignee_id = None
    rule.strategy, rule.active = strategy, bool(active)
    db.session.add(rule)
    db.session.flush()
    audit.record(AuditAction.RULE_SAVED, target=rule, details=audit.changes(before, audit.snapshot(rule, RULE_FIELDS)))
    return rule


def delete_rule(rule: RoutingRule) -> None:
    """Tickets it routed keep the rule's number in their history; their link to it is cleared."""
    audit.record(AuditAction.RULE_DELETED, target=rule, details=audit.snapshot(rule, RULE_FIELDS))
    db.session.execute(db.update(Ticket).where(Ticket.routing_rule_id == rule.id).values(routing_rule_id=None)
                       .execution_options(synchronize_session=False))
    db.session.delete(rule)
    db.session.flush()


def move_rule(rule: RoutingRule, direction: str) -> None:
    """Swap with the neighbouring rule, renumbering all rules 10, 20, 30... so positions stay distinct."""
    rules = list(db.session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)))
    index = rules.index(rule)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(rules):
        raise DomainError(_l("This rule cannot move further."))
    rules[index], rules[other] = rules[other], rules[index]
    for number, each in enumerate(rules, start=1):
        each.position = number * 10
    db.session.flush()
    audit.record(AuditAction.RULES_REORDERED, target=rule, details={"moved": direction})


def rules_from_category_defaults() -> int:
    """One rule per active category with an active default unit that no rule covers yet."""
    covered = set(db.session.scalars(select(RoutingRule.category_id).where(RoutingRule.category_id.is_not(None))))
    position = db.session.scalar(select(func.max(RoutingRule.position))) or 0
    created = 0
    for category in db.session.scalars(select(Category).where(Category.active.is_(True))
                                       .order_by(Category.position, Category.id)):
        unit = category.default_unit
        if unit is None or not unit.active or category.id in covered:
            continue
        position += 10
        db.session.add(RoutingRule(position=position, category=category, unit=unit,
                                   strategy=Strategy.NONE.value, active=True))
        created += 1
    db.session.flush()
    audit.record(AuditAction.RULES_REORDERED, details={"created_from_categories": created})
    return created
