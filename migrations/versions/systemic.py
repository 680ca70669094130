"""systemic issues, the search index, published guidance

The word index is database-specific and stays outside the models (tracker/search/index.py names it for
the schema comparison): on PostgreSQL a tsvector generated from search_documents with a GIN index; on
SQLite an FTS5 table over search_documents, kept in step by triggers. Existing obstacles are indexed here;
`flask --app app search reindex` rebuilds the documents at any time.

Revision ID: systemic_1
Revises: alerts_1
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

from tracker.models import UTCDateTime

revision = "systemic_1"
down_revision = "dashboard_1"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    op.create_table(
        "systemic_sequences",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_systemic_sequences")),
    )
    op.create_table(
        "systemic_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("lead_unit_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("ticket_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reporter_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.Column("reply_doc_number", sa.String(length=100), nullable=True),
        sa.Column("reply_doc_date", sa.Date(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["answered_by_id"], ["users.id"], name=op.f("fk_systemic_issues_answered_by_id_users")),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_systemic_issues_assignee_id_users")),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"],
                                name=op.f("fk_systemic_issues_category_id_categories")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_systemic_issues_created_by_id_users")),
        sa.ForeignKeyConstraint(["lead_unit_id"], ["units.id"], name=op.f("fk_systemic_issues_lead_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_systemic_issues")),
        sa.UniqueConstraint("code", name=op.f("uq_systemic_issues_code")),
        sa.UniqueConstraint("year", "seq", name=op.f("uq_systemic_issues_year_seq")),
    )
    with op.batch_alter_table("systemic_issues", schema=None) as batch_op:
        batch_op.create_index("ix_systemic_issues_created_at", ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_systemic_issues_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_systemic_issues_lead_unit_id"), ["lead_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_systemic_issues_assignee_id"), ["assignee_id"], unique=False)

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("systemic_issue_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_tickets_systemic_issue_id"), ["systemic_issue_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_tickets_systemic_issue_id_systemic_issues"), "systemic_issues",
                                    ["systemic_issue_id"], ["id"])

    op.create_table(
        "guidance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("reply_doc_number", sa.String(length=100), nullable=True),
        sa.Column("reply_doc_date", sa.Date(), nullable=True),
        sa.Column("source_ticket_id", sa.Integer(), nullable=True),
        sa.Column("source_issue_id", sa.Integer(), nullable=True),
        sa.Column("names_kept", sa.Boolean(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], name=op.f("fk_guidance_category_id_categories")),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"], name=op.f("fk_guidance_published_by_id_users")),
        sa.ForeignKeyConstraint(["source_issue_id"], ["systemic_issues.id"],
                                name=op.f("fk_guidance_source_issue_id_systemic_issues")),
        sa.ForeignKeyConstraint(["source_ticket_id"], ["tickets.id"], name=op.f("fk_guidance_source_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guidance")),
    )
    with op.batch_alter_table("guidance", schema=None) as batch_op:
        batch_op.create_index("ix_guidance_withdrawn_at_published_at", ["withdrawn_at", "published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_guidance_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_guidance_source_ticket_id"), ["source_ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_guidance_source_issue_id"), ["source_issue_id"], unique=False)

    op.create_table(
        "search_documents",
        sa.Column("ticket_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_search_documents_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_search_documents")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_word_index()
    else:
        _sqlite_word_index()
    _index_existing_tickets()


def _postgresql_word_index():
    """Title words weigh most (A), the rest least (D), the scope tokens are B (never matched by a person's
    words); 'simple': the words are folded already, no stemming."""
    op.execute("ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
               "(setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'D') "
               "|| setweight(to_tsvector('simple', scope), 'B')) STORED")
    op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")


def _sqlite_word_index():
    """An external-content FTS5 table: the text lives once, in search_documents; triggers keep the words."""
    op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, body, scope, content='search_documents', "
               "content_rowid='ticket_id', tokenize='unicode61 remove_diacritics 0')")
    op.execute("CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
               "INSERT INTO search_fts(rowid, title, body, scope) VALUES (new.ticket_id, new.title, new.body, new.scope); END")
    op.execute("CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
               "INSERT INTO search_fts(search_fts, rowid, title, body, scope) "
               "VALUES ('delete', old.ticket_id, old.title, old.body, old.scope); END")
    op.execute("CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
               "INSERT INTO search_fts(search_fts, rowid, title, body, scope) "
               "VALUES ('delete', old.ticket_id, old.title, old.body, old.scope); "
               "INSERT INTO search_fts(rowid, title, body, scope) "
               "VALUES (new.ticket_id, new.title, new.body, new.scope); END")


def _words(text):
    """tracker.text.words as of this revision (a migration must not change when the app does)."""
    text = (text or "").lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(re.findall(r"[^\W_]+", text))


def _index_existing_tickets():
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(sa.text(
            "SELECT id, title, description, legal_basis, locality_id, province_id FROM tickets WHERE id > :last "
            "ORDER BY id LIMIT :batch"),
            {"last": last, "batch": BATCH}).all()
        if not rows:
            return
        bodies = {row.id: [row.description, row.legal_basis] for row in rows}
        messages = connection.execute(sa.text(
            "SELECT ticket_id, body FROM messages WHERE ticket_id BETWEEN :low AND :high "
            "AND kind IN ('reply', 'answer') ORDER BY ticket_id, created_at, id"),
            {"low": rows[0].id, "high": rows[-1].id})
        for ticket_id, body in messages:
            bodies[ticket_id].append(body)
        connection.execute(sa.text("INSERT INTO search_documents (ticket_id, title, body, scope) "
                                   "VALUES (:id, :title, :body, :scope)"),
                           [{"id": row.id, "title": _words(row.title),
                             "body": _words("\n".join(b or "" for b in bodies[row.id])),
                             "scope": f"l{row.locality_id} p{row.province_id}"} for row in rows])
        last = rows[-1].id


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_documents_ai", "search_documents_ad", "search_documents_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_documents")
    with op.batch_alter_table("guidance", schema=None) as batch_op:
        for name in ("ix_guidance_source_issue_id", "ix_guidance_source_ticket_id", "ix_guidance_category_id",
                     "ix_guidance_withdrawn_at_published_at"):
            batch_op.drop_index(name)
    op.drop_table("guidance")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint("fk_tickets_systemic_issue_id_systemic_issues", type_="foreignkey")
        batch_op.drop_index("ix_tickets_systemic_issue_id")
        batch_op.drop_column("systemic_issue_id")
    with op.batch_alter_table("systemic_issues", schema=None) as batch_op:
        for name in ("ix_systemic_issues_assignee_id", "ix_systemic_issues_lead_unit_id", "ix_systemic_issues_status",
                     "ix_systemic_issues_created_at"):
            batch_op.drop_index(name)
    op.drop_table("systemic_issues")
    op.drop_table("systemic_sequences")
