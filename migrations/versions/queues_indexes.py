"""queues: an urgency rank to sort by, a folded title to search, and indexes for the deadline and urgency sorts

Revision ID: queues_1
Revises: sla_1
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "queues_1"
down_revision = "sla_1"
branch_labels = None
depends_on = None

RANKS = {"hoa_toc": 0, "thuong_khan": 1, "khan": 2, "thuong": 3}


def fold(text):
    """tracker.text.fold as of this revision (a migration must not change when the app does)."""
    text = (text or "").lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def upgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgency_rank", sa.Integer(), server_default="3", nullable=False))
        batch_op.add_column(sa.Column("title_folded", sa.String(length=300), server_default="", nullable=False))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, title FROM tickets")).all()
    for ticket_id, title in rows:
        connection.execute(sa.text("UPDATE tickets SET title_folded = :folded WHERE id = :id"),
                           {"folded": fold(title), "id": ticket_id})
    for urgency, rank in RANKS.items():
        op.execute(sa.text("UPDATE tickets SET urgency_rank = :rank WHERE urgency = :urgency")
                   .bindparams(rank=rank, urgency=urgency))
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_answer_due_at", ["answer_due_at"], unique=False)
        batch_op.create_index("ix_tickets_urgency_rank_created_at", ["urgency_rank", "created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_urgency_rank_created_at")
        batch_op.drop_index("ix_tickets_answer_due_at")
        batch_op.drop_column("title_folded")
        batch_op.drop_column("urgency_rank")
