"""Migrations are the only way the schema changes: one head, upgrade from empty, and they match the models."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import func, select

from config import TestConfig
from tracker import create_app
from tracker.extensions import db as _db
from tracker.models import Category, SlaPolicy, Unit
from tracker.reference_data import CATEGORIES, SLA_DEFAULTS, UNITS

from .conftest import _postgres_url


def test_migrations_have_a_single_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgraded_schema_matches_the_models(app, db):
    """The session's database was built by `flask db upgrade` from empty (conftest); nothing differs but the
    word index the migration builds per database, which autogenerate is told to leave alone too."""
    include_name = app.extensions["migrate"].configure_args["include_name"]
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        assert compare_metadata(context, _db.metadata) == []


def test_the_word_index_is_the_only_thing_left_out_of_the_comparison(app, db):
    """Without the filter the comparison sees exactly the database's own word index objects."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, _db.metadata)
    names = {getattr(diff[1], "name", None) if diff[0] != "remove_column" else diff[3].name for diff in differences}
    if db.engine.dialect.name == "postgresql":
        assert names == {"ix_search_documents_tsv", "tsv"}
    else:
        assert names == {"search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize", "search_fts_config"}


@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database no fixture has seeded: what `flask db upgrade` meets on a new server."""
    if os.environ.get("TRACKER_TEST_DB") == "postgresql":
        url, drop = _postgres_url()
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"


def test_upgrade_from_empty_seeds_the_reference_data(fresh_database_url):
    fresh = create_app(TestConfig(fresh_database_url))
    with fresh.app_context():
        upgrade()
        session = _db.session
        assert session.scalar(select(func.count(Unit.id))) == len(UNITS)
        assert session.scalar(select(func.count(Category.id))) == len(CATEGORIES)
        assert session.scalar(select(func.count(SlaPolicy.id))) == len(SLA_DEFAULTS)
        assert session.scalar(select(Category).where(Category.code == "khac")).default_unit_id is None
        assert session.scalar(select(Category).where(Category.code == "bien_che")).default_unit.code == "moha_tcbc"
        hoa_toc = session.scalar(select(SlaPolicy).where(SlaPolicy.urgency == "hoa_toc"))
        assert (hoa_toc.first_response_hours, hoa_toc.answer_hours) == (4, 8)
        _db.session.remove()
        _db.engine.dispose()
