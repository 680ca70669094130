"""No write on a read: a token's last use is written at most once every few minutes, never by every request."""
import contextlib
import datetime as dt

from sqlalchemy import event, select

from tracker.accounts import TOKEN_USE_PRECISION, issue_token
from tracker.models import ApiToken, utcnow


@contextlib.contextmanager
def statements(db):
    seen = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement.strip().split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


WRITES = {"INSERT", "UPDATE", "DELETE"}


def test_reads_write_the_tokens_use_once_per_few_minutes(client, db, commune_officer, make_ticket):
    make_ticket(commune_officer)
    headers = {"Authorization": f"Bearer {issue_token(commune_officer)}"}
    db.session.commit()
    with statements(db) as first:
        assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    assert [s for s in first if s in WRITES] == ["UPDATE"]  # the first use is noted
    for url in ("/api/v1/tickets", "/api/v1/tickets?limit=10", "/api/v1/notifications"):
        with statements(db) as seen:
            assert client.get(url, headers=headers).status_code == 200
        assert not [s for s in seen if s in WRITES], (url, seen)
    stored = db.session.scalar(select(ApiToken))
    stored.last_used_at = utcnow() - TOKEN_USE_PRECISION - dt.timedelta(seconds=1)
    db.session.commit()
    with statements(db) as later:
        assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    assert [s for s in later if s in WRITES] == ["UPDATE"]
    db.session.refresh(stored)
    assert utcnow() - stored.last_used_at < TOKEN_USE_PRECISION
