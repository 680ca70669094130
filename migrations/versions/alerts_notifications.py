"""alerts: a stable Message-ID per outbox message

Revision ID: alerts_1
Revises: queues_1
"""
import sqlalchemy as sa
from alembic import op

revision = "alerts_1"
down_revision = "queues_1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("message_id")
