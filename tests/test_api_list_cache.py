"""The API's numbered list pages are kept per user and query string until tickets change (views/api/routes.py)."""
from tracker import data_version
from tracker.enums import Role

from .conftest import counting_calls, counting_queries


def references(response) -> list[str]:
    assert response.status_code == 200
    return [item["reference"] for item in response.get_json()["items"]]


def test_a_kept_page_costs_only_the_tokens_statement(client, bearer, make_ticket, commune_officer):
    make_ticket(commune_officer)
    headers = bearer(commune_officer)
    first = client.get("/api/v1/tickets", headers=headers).get_json()
    with counting_queries() as kept:
        assert client.get("/api/v1/tickets", headers=headers).get_json() == first
    data_version.clear(reference=False)
    with counting_queries() as afresh:
        client.get("/api/v1/tickets", headers=headers)
    assert len(kept) == 1 < len(afresh)


def test_a_write_shows_at_once_and_each_user_gets_their_own(client, bearer, make_ticket, commune_officer, make_user,
                                                           ba_dinh, db):
    own = make_ticket(commune_officer, title="Của Hoàn Kiếm")
    other = make_user(Role.COMMUNE, ba_dinh)
    mine, theirs = bearer(commune_officer), bearer(other)
    assert references(client.get("/api/v1/tickets", headers=mine)) == [own.reference]
    assert references(client.get("/api/v1/tickets", headers=theirs)) == []
    filed = make_ticket(other, title="Của Ba Đình")
    assert references(client.get("/api/v1/tickets", headers=theirs)) == [filed.reference]
    own.status = "closed"
    db.session.commit()
    assert client.get("/api/v1/tickets", headers=mine).get_json()["items"][0]["status"] == "closed"


def test_a_kept_page_is_sent_as_written_the_first_time(client, bearer, make_ticket, commune_officer, monkeypatch):
    """Kept as JSON text: the same bytes as a page written afresh, and not written again by the schema."""
    from tracker.views.api import schemas

    make_ticket(commune_officer)
    headers = bearer(commune_officer)
    data_version.clear(reference=False)
    first = client.get("/api/v1/tickets", headers=headers)
    written = counting_calls(monkeypatch, schemas.Summaries, "_serialize")
    kept = client.get("/api/v1/tickets", headers=headers)
    assert written == []
    assert kept.get_data() == first.get_data() and kept.mimetype == "application/json"
    data_version.clear(reference=False)
    afresh = client.get("/api/v1/tickets", headers=headers)
    assert len(written) == 1 and afresh.get_data() == first.get_data()
    assert afresh.get_json()["items"][0]["created_at"].endswith("+00:00")
