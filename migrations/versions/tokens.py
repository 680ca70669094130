"""tokens: an API token's name, expiry and revocation

Revision ID: tokens_1
Revises: hardening_1
"""
import sqlalchemy as sa
from alembic import op

from tracker.models import UTCDateTime

revision = "tokens_1"
down_revision = "hardening_1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=100), server_default="", nullable=False))
        batch_op.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("name")
