"""dashboard: the missed-deadline trend reads the SLA sweep's state (an open obstacle is missed once swept
overdue), so the index it counts from holds that state too (index-only scans again)

Revision ID: dashboard_2
Revises: perf_1
"""
from alembic import op

revision = "dashboard_2"
down_revision = "perf_1"
branch_labels = None
depends_on = None

KEYS = ["category_id", "province_id", "locality_id", "lead_unit_id", "assignee_id"]


def upgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_kpi_due")
        batch_op.create_index("ix_tickets_kpi_due", ["answer_due_at", "answered_at", "closed_at", "sla_state", *KEYS],
                              unique=False)


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_kpi_due")
        batch_op.create_index("ix_tickets_kpi_due", ["answer_due_at", "answered_at", "closed_at", *KEYS], unique=False)
