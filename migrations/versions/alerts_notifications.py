"""alerts: notifications (the in-app list and the email each is owed) and each user's settings; the first
response swept like the answer (its state and at-risk moment); a stable Message-ID per outbox message

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
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.String(length=30), nullable=True),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("email_due_at", UTCDateTime(), nullable=True),
        sa.Column("emailed_at", UTCDateTime(), nullable=True),
        sa.Column("email_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_notifications_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_email_due_at", ["email_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index("ix_notifications_user_created_at", ["user_id", "created_at"], unique=False)
        batch_op.create_index("ix_notifications_user_read_at", ["user_id", "read_at"], unique=False)
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_notification_preferences_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_preferences")),
    )


def downgrade():
    op.drop_table("notification_preferences")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_read_at")
        batch_op.drop_index("ix_notifications_user_created_at")
        batch_op.drop_index(batch_op.f("ix_notifications_ticket_id"))
        batch_op.drop_index("ix_notifications_email_due_at")
    op.drop_table("notifications")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_first_response_state_due")
        batch_op.drop_index("ix_tickets_first_response_state_at_risk")
        batch_op.drop_column("first_response_at_risk_at")
        batch_op.drop_column("first_response_state")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("message_id")
