"""hardening: a per-user session version (sessions that end), the append-only audit trail, failed logins,
filing forms' one-time tokens

Revision ID: hardening_1
Revises: systemic_1
"""
import sqlalchemy as sa
from alembic import op

from tracker.models import UTCDateTime

revision = "hardening_1"
down_revision = "ui_1"
branch_labels = None
depends_on = None

POSTGRES_APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""
# SQLite (the laptop setup) refuses updates; deletes stay possible there so a test run can empty its tables.
SQLITE_APPEND_ONLY = """
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"""


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=True),
        sa.Column("address", sa.String(length=45), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name="fk_audit_log_actor_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_audit_log_actor_email_created_at", ["actor_email", "created_at"], unique=False)
        batch_op.create_index("ix_audit_log_action_created_at", ["action", "created_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_APPEND_ONLY)
    else:
        op.execute(SQLITE_APPEND_ONLY)

    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("failed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_failures"),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_email_failed_at", ["email", "failed_at"], unique=False)
        batch_op.create_index("ix_login_failures_failed_at", ["failed_at"], unique=False)

    op.create_table(
        "form_submissions",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_form_submissions_ticket_id_tickets"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_form_submissions_user_id_users"),
        sa.PrimaryKeyConstraint("token", name="pk_form_submissions"),
    )


def downgrade():
    op.drop_table("form_submissions")
    op.drop_table("login_failures")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_table("audit_log")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
