"""SLA: the at-risk moment (indexed with the state, for the sweep) and the working time spent paused

Revision ID: sla_1
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from tracker.models import UTCDateTime

revision = "sla_1"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("at_risk_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("paused_seconds", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index("ix_tickets_sla_state_at_risk", ["sla_state", "at_risk_at"], unique=False)


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_sla_state_at_risk")
        batch_op.drop_column("paused_seconds")
        batch_op.drop_column("at_risk_at")
