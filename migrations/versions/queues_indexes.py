"""queues: an urgency rank to sort by, and indexes for the deadline and urgency sorts

Revision ID: queues_1
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "queues_1"
down_revision = "0002"
branch_labels = None
depends_on = None

RANKS = {"hoa_toc": 0, "thuong_khan": 1, "khan": 2, "thuong": 3}


def upgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgency_rank", sa.Integer(), server_default="3", nullable=False))
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
        batch_op.drop_column("urgency_rank")
