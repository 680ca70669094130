"""dashboard: the working time each answer took, the legal document each obstacle cites, covering indexes for the counts

Revision ID: dashboard_1
Revises: alerts_1
"""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app

from tracker.models import UTCDateTime
from tracker.worktime import sla
from tracker.worktime.calendar import WorkingCalendar, office_hours

revision = "dashboard_1"
down_revision = "alerts_1"
branch_labels = None
depends_on = None

# tracker.citations as of this revision (a migration must not change when the app does).
KINDS = ("Bộ luật", "Luật", "Nghị định", "Nghị quyết", "Thông tư liên tịch", "Thông tư", "Quyết định",
         "Chỉ thị", "Công văn", "Công điện", "Kết luận", "Hướng dẫn", "Thông báo")
NUMBER = r"\d{1,6}(?:/\d{4})?/[0-9A-Za-zĐđ]+(?:-[0-9A-Za-zĐđ]+)*"
CITED = re.compile(r"(?<!\w)(" + "|".join(re.escape(k) for k in KINDS) + r")\s+(?:số\s+)?(" + NUMBER + ")",
                   re.IGNORECASE)
BARE = re.compile(r"(?<![\w/])(\d{1,6}/\d{4}/[0-9A-Za-zĐđ]+(?:-[0-9A-Za-zĐđ]+)*)")


def _number(value):
    upper = value.upper()
    return upper[:-3] + "TTg" if upper.endswith(("-TTG", "/TTG")) else upper


def cited_document(legal_basis):
    text = " ".join((legal_basis or "").split())
    found = CITED.search(text)
    if found:
        kind = {k.lower(): k for k in KINDS}.get(found.group(1).lower(), found.group(1))
        return f"{kind} {_number(found.group(2))}"[:120]
    bare = BARE.search(text)
    return _number(bare.group(1))[:120] if bare else ""


KEYS = ["category_id", "province_id", "locality_id", "lead_unit_id", "assignee_id"]
# The dashboard's counts read these alone (index-only scans).
INDEXES = {
    "ix_tickets_kpi_open": ["status", *KEYS, "sla_state", "answer_due_at", "outcome", "created_at"],
    "ix_tickets_kpi_created": ["created_at", *KEYS],
    "ix_tickets_kpi_answered": ["answered_at", "answer_due_at", *KEYS, "rating", "outcome", "status",
                                "answer_working_seconds"],
    "ix_tickets_kpi_responded": ["first_responded_at", "first_response_due_at", *KEYS],
    "ix_tickets_kpi_due": ["answer_due_at", "answered_at", "closed_at", *KEYS],
    "ix_tickets_outcome_answered_at": ["outcome", "answered_at"],
}

tickets = sa.table("tickets", sa.column("id", sa.Integer), sa.column("legal_basis", sa.Text),
                   sa.column("created_at", UTCDateTime()), sa.column("answered_at", UTCDateTime()),
                   sa.column("paused_seconds", sa.Integer))
overrides = sa.table("calendar_overrides", sa.column("day", sa.Date), sa.column("is_working", sa.Boolean))


def upgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_document", sa.String(length=120), server_default="", nullable=False))
        batch_op.add_column(sa.Column("answer_working_seconds", sa.Integer(), nullable=True))
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    connection = op.get_bind()
    for ticket_id, legal_basis in connection.execute(sa.select(tickets.c.id, tickets.c.legal_basis)
                                                     .where(tickets.c.legal_basis != "")).all():
        connection.execute(sa.text("UPDATE tickets SET legal_document = :doc WHERE id = :id"),
                           {"doc": cited_document(legal_basis), "id": ticket_id})
    _measure_answers(connection)


def _measure_answers(connection):
    """Answers given before this revision: their working time, with today's calendar."""
    answered = connection.execute(sa.select(tickets.c.id, tickets.c.created_at, tickets.c.answered_at,
                                            tickets.c.paused_seconds)
                                  .where(tickets.c.answered_at.is_not(None))).all()
    if not answered:
        return
    calendar = WorkingCalendar(ZoneInfo(current_app.config["TIMEZONE"]), office_hours(),
                               dict(connection.execute(sa.select(overrides.c.day, overrides.c.is_working)).all()))
    for ticket_id, created_at, answered_at, paused in answered:
        worked = sla.working_time_between(created_at, answered_at, calendar) - dt.timedelta(seconds=paused or 0)
        connection.execute(sa.text("UPDATE tickets SET answer_working_seconds = :s WHERE id = :id"),
                           {"s": max(int(worked.total_seconds()), 0), "id": ticket_id})


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_column("answer_working_seconds")
        batch_op.drop_column("legal_document")
