"""ui: saved queue views, and folded locality names for the pickers' accent-insensitive search

Revision ID: ui_1
Revises: systemic_1
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

from tracker.models import UTCDateTime

revision = "ui_1"
down_revision = "systemic_1"
branch_labels = None
depends_on = None


def fold(text):
    """tracker.text.fold as of this revision (a migration must not change when the app does)."""
    text = (text or "").lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def upgrade():
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_saved_views_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_views_user_id_name")),
    )
    with op.batch_alter_table("localities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_folded", sa.String(length=120), server_default="", nullable=False))
    connection = op.get_bind()
    for locality_id, name in connection.execute(sa.text("SELECT id, name FROM localities")).all():
        connection.execute(sa.text("UPDATE localities SET name_folded = :folded WHERE id = :id"),
                           {"folded": fold(name), "id": locality_id})


def downgrade():
    with op.batch_alter_table("localities", schema=None) as batch_op:
        batch_op.drop_column("name_folded")
    op.drop_table("saved_views")
