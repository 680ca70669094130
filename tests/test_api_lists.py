"""Lists for machines: keyset pages in a stable order, updated_since, the queues' filters, an ETag per ticket."""
import datetime as dt

import pytest

from tracker.models import Ticket, utcnow
from tracker.tickets import post_message


def walk(client, headers, **query):
    """Every page of a cursor walk: the references of each page."""
    pages, cursor = [], None
    while True:
        args = {**query, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/tickets", headers=headers, query_string=args)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["total"] is None and body["page"] is None
        pages.append([t["reference"] for t in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_cursor_pages_walk_every_obstacle_once_newest_first(client, bearer, make_ticket, commune_officer, db):
    tickets = [make_ticket(commune_officer, title=f"Số {n}") for n in range(5)]
    moment = utcnow()
    for ticket in tickets[:3]:  # the same created_at: the id breaks the tie
        ticket.created_at = moment
    db.session.commit()
    headers = bearer(commune_officer)
    pages = walk(client, headers, limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    expected = [t.reference for t in sorted(tickets, key=lambda t: (t.created_at, t.id), reverse=True)]
    assert [r for p in pages for r in p] == expected
    # an obstacle filed in the middle of a walk does not shift the pages still to come
    first = client.get("/api/v1/tickets", headers=headers, query_string={"limit": 2}).get_json()
    make_ticket(commune_officer, title="Mới")
    rest = client.get("/api/v1/tickets", headers=headers,
                      query_string={"limit": 2, "cursor": first["next_cursor"]}).get_json()
    assert [t["reference"] for t in rest["items"]] == expected[2:4]


def test_updated_since_syncs_what_changed_oldest_change_first(client, bearer, make_ticket, commune_officer,
                                                              triage_user, db):
    old, changed, untouched = (make_ticket(commune_officer, title=t) for t in ("Cũ", "Đổi", "Yên"))
    long_ago = utcnow() - dt.timedelta(days=3)
    for ticket in (old, changed, untouched):
        ticket.updated_at = long_ago
    db.session.commit()
    since = utcnow() - dt.timedelta(hours=1)
    post_message(triage_user, changed, body="Trả lời")
    db.session.commit()
    headers = bearer(commune_officer)
    assert walk(client, headers, updated_since=since.isoformat()) == [[changed.reference]]
    everything = walk(client, headers, updated_since=(long_ago - dt.timedelta(seconds=1)).isoformat(), limit=1)
    assert [r for p in everything for r in p][-1] == changed.reference and len(everything) == 3


def test_the_queue_filters_apply_to_cursor_pages(client, bearer, make_ticket, commune_officer, db):
    urgent = make_ticket(commune_officer, title="Gấp")
    make_ticket(commune_officer, title="Thường")
    urgent.urgency = "hoa_toc"
    db.session.commit()
    headers = bearer(commune_officer)
    assert walk(client, headers, limit=5, urgency="hoa_toc") == [[urgent.reference]]
    assert walk(client, headers, limit=5, status="closed") == [[]]
    assert walk(client, headers, limit=5, status="", urgency="") == [[t.reference for t in
                                                                      client_order(db, commune_officer)]]


def client_order(db, user):
    from sqlalchemy import select

    return db.session.scalars(select(Ticket).order_by(Ticket.created_at.desc(), Ticket.id.desc())).all()


@pytest.mark.parametrize("query, field", [
    ({"cursor": "not-a-cursor"}, "cursor"), ({"cursor": "e30"}, "cursor"), ({"limit": 0}, "limit"),
    ({"limit": 101}, "limit"), ({"limit": "many"}, "limit"), ({"updated_since": "yesterday"}, "updated_since"),
    ({"updated_since": "0001-01-01T00:00:00+01:00"}, "updated_since"), ({"order": "random"}, "order"),
    ({"status": "bogus"}, "status"), ({"filed_from": "31/02/2026"}, "filed_from"),
    ({"assignee": "someone"}, "assignee"),
    ({"category": "x" * 41}, "category"), ({"sort": "random"}, "sort"), ({"page": 0}, "page"),
])
def test_bad_list_arguments_are_a_clear_422(client, bearer, commune_officer, query, field):
    response = client.get("/api/v1/tickets", headers=bearer(commune_officer), query_string=query)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_a_cursor_of_another_order_is_refused(client, bearer, make_ticket, commune_officer):
    for n in range(2):
        make_ticket(commune_officer, title=f"Số {n}")
    headers = bearer(commune_officer)
    cursor = client.get("/api/v1/tickets", headers=headers, query_string={"limit": 1}).get_json()["next_cursor"]
    response = client.get("/api/v1/tickets", headers=headers, query_string={"cursor": cursor, "order": "updated"})
    assert response.status_code == 422 and "cursor" in response.get_json()["errors"]


def test_a_ticket_has_an_etag_and_answers_304_until_it_changes(client, bearer, make_ticket, commune_officer,
                                                               triage_user, db):
    ticket = make_ticket(commune_officer)
    headers = bearer(commune_officer)
    url = f"/api/v1/tickets/{ticket.reference}"
    first = client.get(url, headers=headers)
    etag = first.headers["ETag"]
    assert etag
    unchanged = client.get(url, headers={**headers, "If-None-Match": etag})
    assert unchanged.status_code == 304 and not unchanged.get_data()
    post_message(triage_user, db.session.get(Ticket, ticket.id), body="Trả lời")
    db.session.commit()
    changed = client.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_pages_items_are_written_as_the_summary_schema_writes_them(db, make_ticket, commune_officer, triage_user):
    """TicketPageSchema writes its items without marshmallow (schemas.Summaries): the same JSON."""
    import datetime as dt

    from tracker.views.api.schemas import TicketPageSchema, TicketSummarySchema, ticket_summary

    ticket = make_ticket(commune_officer)
    ticket.answer_due_at = dt.datetime(2026, 12, 1, 2, 30, tzinfo=dt.UTC)
    other = make_ticket(commune_officer, title="Vướng mắc khác")  # no deadline: None stays None
    other.answer_due_at = None
    db.session.flush()
    items = [ticket_summary(ticket), ticket_summary(other)]
    written = TicketPageSchema().dump({"items": items, "page": 1, "pages": 1, "total": 2, "next_cursor": None})
    assert written["items"] == TicketSummarySchema(many=True).dump(items)
    assert written["items"][0]["answer_due_at"] == "2026-12-01T02:30:00+00:00"
