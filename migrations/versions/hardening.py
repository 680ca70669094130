"""hardening: a per-user session version (sessions that end)

Revision ID: hardening_1
Revises: queues_1
"""
import sqlalchemy as sa
from alembic import op

revision = "hardening_1"
down_revision = "queues_1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
