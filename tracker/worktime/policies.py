"""SLA policies: targets in working hours per urgency, optionally overridden per category; read and edited."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit, data_version
from ..enums import AuditAction, Urgency
from ..errors import DomainError
from ..extensions import db
from ..models import Category, SlaPolicy
from ..reference_data import SLA_DEFAULTS
from .sla import MAX_HOURS


def policy_hours(urgency: str, category_id: int | None) -> tuple[int, int]:
    """(first response, answer) hours: the category's own policy wins over the urgency's default."""
    hours = data_version.reference_cached("sla policies", _all_hours)
    found = (category_id is not None and hours.get((urgency, category_id))) or hours.get((urgency, None))
    return found or SLA_DEFAULTS.get(urgency, SLA_DEFAULTS[Urgency.THUONG])


def _all_hours() -> dict[tuple[str, int | None], tuple[int, int]]:
    rows = db.session.execute(select(SlaPolicy.urgency, SlaPolicy.category_id, SlaPolicy.first_response_hours,
                                     SlaPolicy.answer_hours))
    return {(urgency, category_id): (first, answer) for urgency, category_id, first, answer in rows}


def policies_table() -> tuple[list[SlaPolicy], list[SlaPolicy]]:
    """(the default per urgency, the per-category overrides), most urgent first."""
    rank = {u.value: i for i, u in enumerate(Urgency)}
    rows = db.session.scalars(select(SlaPolicy).outerjoin(SlaPolicy.category)
                              .order_by(Category.position.nulls_first(), SlaPolicy.id)).all()
    defaults = sorted((p for p in rows if p.category_id is None), key=lambda p: rank.get(p.urgency, 99))
    overrides = [p for p in rows if p.category_id is not None]
    return defaults, sorted(overrides, key=lambda p: (p.category.position, rank.get(p.urgency, 99)))


def save_policy(urgency: str, category: Category | None, first_response_hours, answer_hours) -> SlaPolicy:
    """Set the targets of an urgency (for one category, or the default); creates the row when missing."""
    try:
        urgency = Urgency(urgency).value
    except ValueError:
        raise DomainError(_l("Choose an urgency from the list."), "urgency") from None
    if category is not None and not category.active:
        raise DomainError(_l("Choose a category from the list."), "category")
    first = _hours(first_response_hours, "first_response_hours")
    answer = _hours(answer_hours, "answer_hours")
    if first > answer:
        raise DomainError(_l("The first response cannot be due after the answer."), "first_response_hours")
    category_id = category.id if category else None
    policy = db.session.scalar(select(SlaPolicy).where(
        SlaPolicy.urgency == urgency,
        SlaPolicy.category_id == category_id if category_id else SlaPolicy.category_id.is_(None)))
    if policy is None:
        policy = SlaPolicy(urgency=urgency, category_id=category_id)
        db.session.add(policy)
    before = audit.snapshot(policy, HOURS)
    policy.first_response_hours, policy.answer_hours = first, answer
    db.session.flush()
    audit.record(AuditAction.SLA_POLICY_SAVED, target=_policy_name(urgency, category),
                 details=audit.changes(before, audit.snapshot(policy, HOURS)))
    return policy


def delete_policy(policy: SlaPolicy) -> None:
    """Only a category's override can go; the urgency's default must stay."""
    if policy.category_id is None:
        raise DomainError(_l("The default of an urgency cannot be removed; change its hours instead."))
    audit.record(AuditAction.SLA_POLICY_DELETED, target=_policy_name(policy.urgency, policy.category),
                 details=audit.snapshot(policy, HOURS))
    db.session.delete(policy)
    db.session.flush()


HOURS = ("first_response_hours", "answer_hours")


def _policy_name(urgency: str, category: Category | None) -> str:
    return f"SlaPolicy {urgency} / {category.code if category else '*'}"


def _hours(value, field: str) -> int:
    if value is None or isinstance(value, bool):
        raise DomainError(_l("Enter a whole number of working hours."), field)
    try:
        hours = int(value)
    except (TypeError, ValueError):
        raise DomainError(_l("Enter a whole number of working hours."), field) from None
    if hours != value and str(hours) != str(value).strip():
        raise DomainError(_l("Enter a whole number of working hours."), field)
    if hours <= 0:
        raise DomainError(_l("The target must be at least one working hour."), field)
    if hours > MAX_HOURS:
        raise DomainError(_l("The target must be at most %(max)d working hours.", max=MAX_HOURS), field)
    return hours
