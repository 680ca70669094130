"""perf: the tickets' data version (the dashboard's cache key)

Revision ID: perf_1
Revises: hardening_1
"""
import sqlalchemy as sa
from alembic import op

revision = "perf_1"
down_revision = "hardening_1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_data_versions"),
    )
    op.execute(sa.text("INSERT INTO data_versions (name, token) VALUES ('tickets', 'initial')"))


def downgrade():
    op.drop_table("data_versions")
