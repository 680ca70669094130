"""perf: the tickets' data version (the dashboard's cache key), a stored deadline-state sort key, each SLA
clock's next crossing moment (the sweep's index), indexes for a locality's status tabs and followed obstacles

Revision ID: perf_1
Revises: api_core_1
"""
import sqlalchemy as sa
from alembic import op

from tracker.models import UTCDateTime

revision = "perf_1"
down_revision = "api_core_1"
branch_labels = None
depends_on = None

# tracker.models.SLA_SORT as of this revision: breached 0, at risk 2, on track 4, finished 6; +1 without a deadline.
SLA_SORT = ("CASE sla_state WHEN 'breached' THEN 0 WHEN 'at_risk' THEN 2 WHEN 'on_track' THEN 4 ELSE 6 END"
            " + CASE WHEN answer_due_at IS NULL THEN 1 ELSE 0 END")




def next_crossing(state, at_risk, due):
    """tracker.models.next_crossing as of this revision."""
    return (f"CASE WHEN paused_at IS NOT NULL THEN NULL "
            f"WHEN {state} = 'on_track' THEN CASE WHEN {at_risk} IS NULL THEN {due} "
            f"WHEN {due} IS NULL OR {at_risk} <= {due} THEN {at_risk} ELSE {due} END "
            f"WHEN {state} = 'at_risk' THEN {due} END")


def upgrade():
    op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_data_versions"),
    )
    op.execute(sa.text("INSERT INTO data_versions (name, token) VALUES ('tickets', 'initial')"))
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_sort", sa.Integer(), sa.Computed(SLA_SORT, persisted=True), nullable=True))
        batch_op.add_column(sa.Column("answer_next_at", UTCDateTime(), sa.Computed(
            next_crossing("sla_state", "at_risk_at", "answer_due_at"), persisted=True), nullable=True))
        batch_op.add_column(sa.Column("first_response_next_at", UTCDateTime(), sa.Computed(
            next_crossing("first_response_state", "first_response_at_risk_at", "first_response_due_at"),
            persisted=True), nullable=True))
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_sla_sort", ["sla_sort", "answer_due_at", "id"], unique=False)
        batch_op.create_index("ix_tickets_answer_next_at", ["answer_next_at", "id"], unique=False)
        for column in ("locality_id", "province_id"):
            batch_op.create_index(f"ix_tickets_{column.removesuffix('_id')}_duplicate_of", [column, "duplicate_of_id"],
                                  unique=False, postgresql_where=sa.text("duplicate_of_id IS NOT NULL"),
                                  sqlite_where=sa.text("duplicate_of_id IS NOT NULL"))
        batch_op.create_index("ix_tickets_first_response_next_at", ["first_response_next_at", "id"], unique=False)
        batch_op.create_index("ix_tickets_locality_status_created_at", ["locality_id", "status", "created_at"],
                              unique=False)
        batch_op.create_index("ix_tickets_province_status_created_at", ["province_id", "status", "created_at"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_province_status_created_at")
        batch_op.drop_index("ix_tickets_locality_status_created_at")
        batch_op.drop_index("ix_tickets_province_duplicate_of")
        batch_op.drop_index("ix_tickets_locality_duplicate_of")
        batch_op.drop_index("ix_tickets_first_response_next_at")
        batch_op.drop_index("ix_tickets_answer_next_at")
        batch_op.drop_index("ix_tickets_sla_sort")
        batch_op.drop_column("first_response_next_at")
        batch_op.drop_column("answer_next_at")
        batch_op.drop_column("sla_sort")
    op.drop_table("data_versions")
