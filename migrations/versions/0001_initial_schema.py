"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 20:59:48.858840

"""
from alembic import op
import sqlalchemy as sa

from tracker.models import UTCDateTime
from tracker.reference_data import CATEGORIES, SLA_DEFAULTS, UNITS


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_working', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_overrides'))
    )
    op.create_table('job_locks',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('holder', sa.String(length=100), nullable=True),
    sa.Column('locked_until', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_locks'))
    )
    op.create_table('localities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('division_type', sa.String(length=40), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['localities.id'], name=op.f('fk_localities_parent_id_localities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_localities')),
    sa.UniqueConstraint('code', name=op.f('uq_localities_code'))
    )
    with op.batch_alter_table('localities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_localities_parent_id'), ['parent_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTCDateTime(), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('sent_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    op.create_table('ticket_sequences',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_ticket_sequences'))
    )
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('is_external', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('code', name=op.f('uq_units_code'))
    )
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('default_unit_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['default_unit_id'], ['units.id'], name=op.f('fk_categories_default_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_categories_code'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('locality_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('is_unit_head', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['locality_id'], ['localities.id'], name=op.f('fk_users_locality_id_localities')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_users_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_locality_id'), ['locality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_role'), ['role'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_unit_id'), ['unit_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('last_used_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('routing_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('keyword', sa.String(length=100), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('strategy', sa.String(length=20), nullable=False),
    sa.Column('last_assignee_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_routing_rules_category_id_categories')),
    sa.ForeignKeyConstraint(['last_assignee_id'], ['users.id'], name=op.f('fk_routing_rules_last_assignee_id_users')),
    sa.ForeignKeyConstraint(['province_id'], ['localities.id'], name=op.f('fk_routing_rules_province_id_localities')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_routing_rules_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rules'))
    )
    with op.batch_alter_table('routing_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_rules_position'), ['position'], unique=False)

    op.create_table('sla_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.String(length=20), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('first_response_hours', sa.Integer(), nullable=False),
    sa.Column('answer_hours', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_sla_policies_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policies')),
    sa.UniqueConstraint('urgency', 'category_id', name=op.f('uq_sla_policies_urgency_category_id'))
    )
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('locality_id', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('requested_urgency', sa.String(length=10), nullable=False),
    sa.Column('urgency', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('paused_status', sa.String(length=20), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('incoming_doc_number', sa.String(length=100), nullable=True),
    sa.Column('incoming_doc_date', sa.Date(), nullable=True),
    sa.Column('lead_unit_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('routing_rule_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('first_response_due_at', UTCDateTime(), nullable=True),
    sa.Column('answer_due_at', UTCDateTime(), nullable=True),
    sa.Column('explicit_due_at', UTCDateTime(), nullable=True),
    sa.Column('first_responded_at', UTCDateTime(), nullable=True),
    sa.Column('answered_at', UTCDateTime(), nullable=True),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.Column('paused_at', UTCDateTime(), nullable=True),
    sa.Column('sla_state', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('reply_doc_number', sa.String(length=100), nullable=True),
    sa.Column('reply_doc_date', sa.Date(), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('transferred_to', sa.String(length=200), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_tickets_assignee_id_users')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_tickets_category_id_categories')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tickets_created_by_id_users')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['tickets.id'], name=op.f('fk_tickets_duplicate_of_id_tickets')),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['units.id'], name=op.f('fk_tickets_lead_unit_id_units')),
    sa.ForeignKeyConstraint(['locality_id'], ['localities.id'], name=op.f('fk_tickets_locality_id_localities')),
    sa.ForeignKeyConstraint(['province_id'], ['localities.id'], name=op.f('fk_tickets_province_id_localities')),
    sa.ForeignKeyConstraint(['routing_rule_id'], ['routing_rules.id'], name=op.f('fk_tickets_routing_rule_id_routing_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('reference', name=op.f('uq_tickets_reference')),
    sa.UniqueConstraint('year', 'seq', name=op.f('uq_tickets_year_seq'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_assignee_status', ['assignee_id', 'status'], unique=False)
        batch_op.create_index('ix_tickets_category_created_at', ['category_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index('ix_tickets_lead_unit_status', ['lead_unit_id', 'status'], unique=False)
        batch_op.create_index('ix_tickets_locality_created_at', ['locality_id', 'created_at'], unique=False)
        batch_op.create_index('ix_tickets_province_created_at', ['province_id', 'created_at'], unique=False)
        batch_op.create_index('ix_tickets_sla_state_answer_due', ['sla_state', 'answer_due_at'], unique=False)
        batch_op.create_index('ix_tickets_status_created_at', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_urgency'), ['urgency'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=True),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_events_actor_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_events_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_ticket_created_at', ['ticket_id', 'created_at'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_messages_author_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_messages_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_ticket_created_at', ['ticket_id', 'created_at'], unique=False)

    op.create_table('ticket_links',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('other_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['other_id'], ['tickets.id'], name=op.f('fk_ticket_links_other_id_tickets')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_links_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('ticket_id', 'other_id', name=op.f('pk_ticket_links'))
    )
    with op.batch_alter_table('ticket_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_links_other_id'), ['other_id'], unique=False)

    op.create_table('ticket_units',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_units_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ticket_units_unit_id_units')),
    sa.PrimaryKeyConstraint('ticket_id', 'unit_id', name=op.f('pk_ticket_units'))
    )
    with op.batch_alter_table('ticket_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_units_unit_id'), ['unit_id'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_attachments_message_id_messages')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_attachments_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachments_stored_name'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_ticket_id'), ['ticket_id'], unique=False)

    _seed_reference_data()


def _seed_reference_data():
    """Units, categories and the default SLA policies of GLOSSARY.md, written with this revision's own
    table shapes (never today's models, which later revisions change)."""
    units = sa.table("units", sa.column("id", sa.Integer), sa.column("code", sa.String),
                     sa.column("name", sa.String), sa.column("name_en", sa.String),
                     sa.column("is_external", sa.Boolean), sa.column("active", sa.Boolean))
    categories = sa.table("categories", sa.column("code", sa.String), sa.column("name", sa.String),
                          sa.column("name_en", sa.String), sa.column("default_unit_id", sa.Integer),
                          sa.column("position", sa.Integer), sa.column("active", sa.Boolean))
    policies = sa.table("sla_policies", sa.column("urgency", sa.String),
                        sa.column("first_response_hours", sa.Integer), sa.column("answer_hours", sa.Integer))
    op.bulk_insert(units, [{"code": code, "name": name, "name_en": name_en, "is_external": external, "active": True}
                           for code, name, name_en, external in UNITS])
    unit_ids = dict(op.get_bind().execute(sa.select(units.c.code, units.c.id)).all())
    op.bulk_insert(categories, [{"code": code, "name": name, "name_en": name_en, "position": position,
                                 "default_unit_id": unit_ids.get(unit_code), "active": True}
                                for position, (code, name, name_en, unit_code) in enumerate(CATEGORIES)])
    op.bulk_insert(policies, [{"urgency": str(urgency), "first_response_hours": first, "answer_hours": answer}
                              for urgency, (first, answer) in SLA_DEFAULTS.items()])


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_message_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('ticket_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_units_unit_id'))

    op.drop_table('ticket_units')
    with op.batch_alter_table('ticket_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_links_other_id'))

    op.drop_table('ticket_links')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_ticket_created_at')

    op.drop_table('messages')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_ticket_created_at')

    op.drop_table('events')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_urgency'))
        batch_op.drop_index('ix_tickets_status_created_at')
        batch_op.drop_index('ix_tickets_sla_state_answer_due')
        batch_op.drop_index('ix_tickets_province_created_at')
        batch_op.drop_index('ix_tickets_locality_created_at')
        batch_op.drop_index('ix_tickets_lead_unit_status')
        batch_op.drop_index(batch_op.f('ix_tickets_duplicate_of_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_created_by_id'))
        batch_op.drop_index('ix_tickets_category_created_at')
        batch_op.drop_index('ix_tickets_assignee_status')

    op.drop_table('tickets')
    op.drop_table('sla_policies')
    with op.batch_alter_table('routing_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_rules_position'))

    op.drop_table('routing_rules')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_unit_id'))
        batch_op.drop_index(batch_op.f('ix_users_role'))
        batch_op.drop_index(batch_op.f('ix_users_locality_id'))

    op.drop_table('users')
    op.drop_table('categories')
    op.drop_table('units')
    op.drop_table('ticket_sequences')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_next_attempt_at')

    op.drop_table('outbox')
    with op.batch_alter_table('localities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_localities_parent_id'))

    op.drop_table('localities')
    op.drop_table('job_locks')
    op.drop_table('calendar_overrides')
