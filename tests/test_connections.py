"""Round trips a request does not need: the opening read outside a transaction, pings only after idleness."""
import psycopg
import pytest
from sqlalchemy import select, text

from tracker import connections, data_version
from tracker.models import DataVersion, User
from tracker.web import user_for_session

from .conftest import counting_calls


def _on_postgres(db) -> bool:
    return db.engine.dialect.name == "postgresql"


def _transaction_status(db) -> str:
    return db.session.connection().connection.dbapi_connection.info.transaction_status.name


def test_the_session_user_is_read_outside_a_transaction_and_what_follows_in_one(app, db, commune_officer):
    if not _on_postgres(db):
        pytest.skip("sqlite3 opens no transaction for a read: nothing to save there")
    session_id, user_id, locality_code = commune_officer.get_id(), commune_officer.id, commune_officer.locality.code
    db.session.remove()
    with app.test_request_context():
        user = user_for_session(session_id)
        assert user.id == user_id and user.locality.code == locality_code
        assert data_version.seen(data_version.TICKETS) is not None
        assert _transaction_status(db) == "IDLE"  # no BEGIN sent: a kept page ends here, with no ROLLBACK either
        db.session.scalar(select(User.id).where(User.id == user.id))
        assert _transaction_status(db) == "INTRANS"
        db.session.remove()


def test_a_write_after_the_opening_read_is_still_undone_by_a_rollback(app, db, commune_officer):
    session_id = commune_officer.get_id()
    before = db.session.scalar(select(DataVersion.token).where(DataVersion.name == data_version.TICKETS))
    db.session.remove()
    with app.test_request_context():
        user_for_session(session_id)
        data_version.bump(db.session)
        db.session.rollback()
        db.session.remove()
    assert db.session.scalar(select(DataVersion.token).where(DataVersion.name == data_version.TICKETS)) == before


@pytest.fixture
def pings(db, monkeypatch):
    """Every ping the pool sends, counted."""
    return counting_calls(monkeypatch, db.engine.dialect, "do_ping")


def _one_checkout(db):
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT 1")).scalar()


def test_a_connection_used_a_moment_ago_is_not_pinged(db, pings, monkeypatch):
    monkeypatch.setattr(connections, "IDLE_PING_SECONDS", 3600)
    _one_checkout(db)
    _one_checkout(db)
    assert pings == []


def test_a_connection_idle_longer_than_the_threshold_is_pinged(db, pings, monkeypatch):
    monkeypatch.setattr(connections, "IDLE_PING_SECONDS", 0)
    _one_checkout(db)
    _one_checkout(db)
    assert len(pings) == 2


def test_a_connection_the_server_closed_while_idle_is_replaced_not_an_error(db, pings, monkeypatch):
    if not _on_postgres(db):
        pytest.skip("a SQLite file has no server to close a connection")
    db.session.remove()
    db.engine.dispose()  # one connection in the pool: the one the server closes
    with db.engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    dsn = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    monkeypatch.setattr(connections, "IDLE_PING_SECONDS", 0)
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    assert pings
    assert db.engine.pool.checkedin() == 1  # the closed one was thrown away
