"""alerts: the first response swept like the answer (its state and at-risk moment), a stable Message-ID per
outbox message

Revision ID: alerts_1
Revises: queues_1
"""
import sqlalchemy as sa
from alembic import op

from tracker.models import UTCDateTime

revision = "alerts_1"
down_revision = "queues_1"
branch_labels = None
depends_on = None

# Obstacles first-responded (or closed) before this revision: met or missed, from their stored moments.
FINISHED_FIRST_RESPONSES = """
UPDATE tickets SET first_response_state = CASE
    WHEN first_response_due_at IS NOT NULL AND COALESCE(first_responded_at, closed_at) > first_response_due_at
    THEN 'missed' ELSE 'met' END
WHERE first_responded_at IS NOT NULL OR status IN ('closed', 'duplicate', 'transferred')
"""


def upgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_response_state", sa.String(length=10), server_default="on_track",
                                      nullable=False))
        batch_op.add_column(sa.Column("first_response_at_risk_at", UTCDateTime(), nullable=True))
        batch_op.create_index("ix_tickets_first_response_state_at_risk",
                              ["first_response_state", "first_response_at_risk_at"], unique=False)
        batch_op.create_index("ix_tickets_first_response_state_due",
                              ["first_response_state", "first_response_due_at"], unique=False)
    # Open obstacles still waiting keep on_track with no at-risk moment until their deadlines are next
    # computed: the sweep records their breach, not an at-risk warning (which needs the working calendar).
    op.execute(sa.text(FINISHED_FIRST_RESPONSES))


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_first_response_state_due")
        batch_op.drop_index("ix_tickets_first_response_state_at_risk")
        batch_op.drop_column("first_response_at_risk_at")
        batch_op.drop_column("first_response_state")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("message_id")
