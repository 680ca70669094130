"""Migrations are the only way the schema changes: one head, upgrade from empty, and they match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from tracker.extensions import db as _db
from tracker.models import Category, SlaPolicy, Unit
from tracker.reference_data import CATEGORIES, SLA_DEFAULTS, UNITS


def test_migrations_have_a_single_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgraded_schema_matches_the_models(app, db):
    """The session's database was built by `flask db upgrade` from empty (conftest); nothing differs."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, _db.metadata) == []


def test_reference_data_is_seeded(db):
    assert db.session.scalar(select(func.count(Unit.id))) == len(UNITS)
    assert db.session.scalar(select(func.count(Category.id))) == len(CATEGORIES)
    assert db.session.scalar(select(func.count(SlaPolicy.id))) == len(SLA_DEFAULTS)
    other = db.session.scalar(select(Category).where(Category.code == "khac"))
    assert other.default_unit_id is None
    staffing = db.session.scalar(select(Category).where(Category.code == "bien_che"))
    assert staffing.default_unit.code == "moha_tcbc"
