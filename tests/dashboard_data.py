"""Shared by the dashboard tests: a population of obstacles in every state the numbers tell apart, and the
count of the list a dashboard link leads to."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tracker import workflow
from tracker.enums import Outcome, Role, SlaState, Status
from tracker.extensions import db
from tracker.models import Unit, utcnow
from tracker.policy import policy_filters
from tracker.queries import TicketFilters, list_query
from tracker.tickets import start_work, triage_ticket

LINK = re.compile(r'<a href="(/(?:tickets|dashboard/gaps|dashboard/policy)\?[^"]*)">(\d+)</a>')


def list_count(user, url: str) -> int:
    """How many obstacles the list at `url` holds for this user (the query the page itself runs)."""
    parts = urlsplit(unescape(url))
    args = MultiDict([(k, v) for k, values in parse_qs(parts.query).items() for v in values])
    filters = TicketFilters.from_args(args)
    if parts.path == "/dashboard/gaps":
        filters.lacking = filters.lacking or "any"
    elif parts.path == "/dashboard/policy":
        filters = policy_filters(filters)
    query = list_query(user, filters, one_per_issue=True)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def numbers_and_links(html: str) -> list[tuple[str, int]]:
    return [(url, int(number)) for url, number in LINK.findall(html)]


def days_ago(days: float, now: dt.datetime | None = None) -> dt.datetime:
    return (now or utcnow()) - dt.timedelta(days=days)


def populate(make_user, make_ticket, unit, commune_officer, province_coordinator, ben_thanh, hanoi):
    """Obstacles of Hà Nội and TP Hồ Chí Minh: open, overdue, answered on time and late, rated, lacking an
    owner, a deadline or an outcome, one saying the law must change, and old ones outside the period."""
    lead = make_user(Role.LEAD)
    specialist = make_user(Role.SPECIALIST, unit=unit, name="Chuyên viên A")
    other_unit = db.session.scalar(select(Unit).where(Unit.code == "bo_tai_chinh"))
    ben_thanh_officer = make_user(Role.COMMUNE, ben_thanh)
    made = {}

    def ticket(name, filer, filed, locality=None, **fields):
        t = make_ticket(filer, locality=locality, title=f"Vướng mắc {name}", now=filed,
                        legal_basis=fields.pop("legal_basis", ""),
                        category_code=fields.pop("category_code", "bien_che"))
        for key, value in fields.items():
            setattr(t, key, value)
        db.session.commit()
        made[name] = t
        return t

    def answered_for_real(name, filer, filed, answered_after_days, locality=None, outcome=Outcome.ANSWERED,
                          **fields):
        """Through the real triage, start and answer, so the stored working time is the product's."""
        t = ticket(name, filer, filed, locality, **fields)
        triage_ticket(lead, t, version=t.version, category=t.category, urgency=t.urgency, lead_unit=unit,
                      assignee=specialist, now=filed + dt.timedelta(hours=2))
        start_work(specialist, t, version=t.version, now=filed + dt.timedelta(hours=3))
        workflow.answer(specialist, t, version=t.version, body="Trả lời", outcome=outcome.value,
                        now=filed + dt.timedelta(days=answered_after_days))
        db.session.commit()
        return t

    ticket("open", commune_officer, days_ago(3), status=Status.IN_PROGRESS.value, lead_unit=unit,
           assignee=specialist)
    ticket("overdue", commune_officer, days_ago(20), status=Status.ASSIGNED.value, lead_unit=unit,
           assignee=specialist, answer_due_at=days_ago(5), sla_state=SlaState.BREACHED.value)
    ticket("today", province_coordinator, days_ago(0.01), hanoi)
    ticket("no_assignee", commune_officer, days_ago(4), status=Status.ASSIGNED.value, lead_unit=other_unit)
    ticket("no_deadline", ben_thanh_officer, days_ago(6), status=Status.IN_PROGRESS.value, lead_unit=other_unit,
           assignee=specialist, answer_due_at=None, category_code="dat_dai")
    ticket("no_outcome", ben_thanh_officer, days_ago(9), status=Status.ANSWERED.value, lead_unit=other_unit,
           answered_at=days_ago(2), outcome=None, answer_working_seconds=3 * 8 * 3600)
    answered_for_real("on_time", commune_officer, days_ago(12), 2, rating=4)
    answered_for_real("late", ben_thanh_officer, days_ago(40), 30, outcome=Outcome.NEEDS_LEGAL_CHANGE,
                      rating=2, legal_basis="Khoản 2 Điều 5 Nghị định 150/2025/NĐ-CP")
    made["late"].status = Status.CLOSED.value
    ticket("old", commune_officer, days_ago(300), status=Status.CLOSED.value, lead_unit=unit,
           answered_at=days_ago(290), closed_at=days_ago(280), outcome=Outcome.ANSWERED.value, rating=5,
           answer_working_seconds=8 * 3600)
    ticket("merged", ben_thanh_officer, days_ago(8), status=Status.DUPLICATE.value, closed_at=days_ago(7),
           sla_state=SlaState.MET.value)
    db.session.commit()
    return made, {"lead": lead, "specialist": specialist, "ben_thanh": ben_thanh_officer}
