"""In-app notifications: the bell's unread count (one cheap query a page), the list, marking as read, the API."""
import pytest
from sqlalchemy import select

from tests.conftest import counting_queries, csrf_token_from
from tracker.accounts import issue_token
from tracker.alerts.inbox import post
from tracker.enums import Deadline, NotificationKind, Role
from tracker.models import Notification, utcnow
from tracker.tickets import triage_ticket


@pytest.fixture
def tell(db):
    """Post `n` notifications of a kind to a user about a ticket, as the domain does."""
    def do(user, ticket, n=1, kind=NotificationKind.ASSIGNED, key="test"):
        for i in range(n):
            post([user], kind, ticket, f"{key}:{ticket.id}:{i}", utcnow())
        db.session.commit()

    return do


@pytest.fixture
def ticket(make_ticket, commune_officer):
    return make_ticket(commune_officer, title="Vướng mắc về biên chế công chức cấp xã")


def bell(html):
    start = html.index("notification-bell")
    return html[start:html.index("</a>", start)]


def test_the_bell_shows_the_unread_count_in_the_top_bar(client, login, specialist, ticket, tell):
    login(specialist)
    assert "notification-count" not in bell(client.get("/tickets").get_data(as_text=True))
    tell(specialist, ticket, 3)
    assert '<span class="badge rounded-pill bg-danger notification-count">3' in bell(
        client.get("/tickets").get_data(as_text=True))


def test_the_bell_stops_counting_at_99(client, login, specialist, ticket, tell):
    tell(specialist, ticket, 101)
    login(specialist)
    assert ">99+<" in bell(client.get("/tickets").get_data(as_text=True))


def test_the_bell_costs_one_query_whatever_the_count(client, login, specialist, ticket, tell):
    login(specialist)

    def notification_queries():
        with counting_queries() as statements:
            client.get("/tickets")
        return [s for s in statements if "notifications" in s]

    assert len(notification_queries()) == 1
    tell(specialist, ticket, 40)
    [query] = notification_queries()
    assert "count" in query.lower() and "LIMIT" in query.upper()


def test_the_list_shows_the_users_own_notifications_newest_first_paginated(app, client, login, specialist, ticket,
                                                                           make_user, monkeypatch, db):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    post([make_user(Role.SPECIALIST)], NotificationKind.ANSWERED, ticket, "someone-else", utcnow())
    for key, kind in (("first", NotificationKind.AT_RISK), ("second", NotificationKind.BREACHED),
                      ("third", NotificationKind.LOCALITY_REPLY)):
        post([specialist], kind, ticket, key, utcnow(), deadline=Deadline.ANSWER if kind.is_batched else None)
        db.session.commit()
    login(specialist)
    first = client.get("/notifications").get_data(as_text=True)
    assert first.index("Phản hồi của địa phương") < first.index("Quá hạn trả lời")
    assert "Sắp đến hạn" not in first and ticket.reference in first and "Trang 1 / 2" in first
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Sắp đến hạn trả lời" in second and "Phản hồi của địa phương" not in second
    assert client.get("/notifications?page=99999999999999999999").status_code == 200


def test_a_locality_no_longer_sees_notifications_about_obstacles_it_may_not_see(client, login, commune_officer,
                                                                                ticket, tell, ben_thanh, db):
    tell(commune_officer, ticket, 1, NotificationKind.REPLY)
    commune_officer.locality = ben_thanh  # the account moved to another commune
    db.session.commit()
    login(commune_officer)
    page = client.get("/notifications").get_data(as_text=True)
    assert ticket.reference not in page and "Không có thông báo" in page


def test_marking_one_read_needs_the_token_and_only_touches_ones_own(csrf_login, specialist, ticket, tell,
                                                                   make_user, db):
    other = make_user(Role.SPECIALIST)
    tell(specialist, ticket, 2)
    tell(other, ticket, 1, key="other")
    mine = db.session.scalars(select(Notification).where(Notification.user_id == specialist.id)).all()
    theirs = db.session.scalar(select(Notification).where(Notification.user_id == other.id))
    client = csrf_login(specialist)
    page = client.get("/notifications").get_data(as_text=True)
    token = csrf_token_from(page)
    assert client.post(f"/notifications/{mine[0].id}/read").status_code == 400  # no token
    assert client.post(f"/notifications/{mine[0].id}/read", data={"csrf_token": token}).status_code == 302
    assert client.post(f"/notifications/{theirs.id}/read", data={"csrf_token": token}).status_code == 404
    for bad in ("99999999999999999999", "0", "-1", "abc"):
        assert client.post(f"/notifications/{bad}/read", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert [n.read_at is not None for n in mine] == [True, False] and theirs.read_at is None
    assert '<span class="badge rounded-pill bg-danger notification-count">1' in client.get("/tickets").get_data(
        as_text=True)


def test_opening_a_notification_reads_it_and_goes_to_its_obstacle(client, login, specialist, ticket, tell, db):
    tell(specialist, ticket, 1)
    note = db.session.scalar(select(Notification))
    login(specialist)
    response = client.post(f"/notifications/{note.id}/open")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tickets/{ticket.reference}")
    db.session.refresh(note)
    assert note.read_at is not None


def test_mark_all_read_empties_the_bell(client, login, specialist, ticket, tell, db):
    tell(specialist, ticket, 5)
    login(specialist)
    response = client.post("/notifications/read-all", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "5 thông báo đã được đánh dấu là đã đọc" in html and "notification-count" not in bell(html)
    assert "Chưa đọc" in html
    assert "Không có thông báo" in client.get("/notifications?unread=1").get_data(as_text=True)


def test_the_list_needs_a_login(client):
    assert client.get("/notifications").status_code == 302
    assert client.post("/notifications/read-all").status_code == 302


def test_the_same_events_as_the_emails_reach_the_list(client, login, triage_user, ticket, unit, specialist, db):
    triage_ticket(triage_user, ticket, version=ticket.version, category=ticket.category, urgency="khan",
                  lead_unit=unit, assignee=specialist)
    db.session.commit()
    login(specialist)
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count(ticket.reference) == 2  # assigned to me, and new for my unit


def test_the_api_lists_the_callers_notifications(client, specialist, ticket, tell, make_user, db):
    tell(specialist, ticket, 1, NotificationKind.BREACHED)
    tell(make_user(Role.SPECIALIST), ticket, 1, key="other")
    token = issue_token(specialist)
    db.session.commit()
    assert client.get("/api/v1/notifications").status_code == 401
    response = client.get("/api/v1/notifications?unread=1", headers={"Authorization": f"Bearer {token}"})
    body = response.get_json()
    assert response.status_code == 200 and (body["total"], body["unread"]) == (1, 1)
    [item] = body["items"]
    assert (item["kind"], item["ticket"], item["read_at"]) == ("breached", ticket.reference, None)
    assert "/api/v1/notifications" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_the_bells_count_reads_the_user_read_at_index(db, make_user, ticket):
    """On PostgreSQL with real volume: the planner answers the bell from the index, not the table."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the plan that matters is PostgreSQL's")
    from sqlalchemy import func, insert, text

    users = [make_user(Role.SPECIALIST) for _ in range(20)]
    now = utcnow()
    db.session.execute(insert(Notification), [
        {"key": f"bulk:{i}", "user_id": users[i % 20].id, "kind": "assigned", "ticket_id": ticket.id,
         "delivery": "immediate", "created_at": now, "read_at": None if i % 10 == 0 else now}
        for i in range(4_000)])
    db.session.commit()
    db.session.execute(text("ANALYZE notifications"))
    unread = (select(Notification.id).where(Notification.user_id == users[3].id, Notification.read_at.is_(None))
              .limit(100).subquery())
    statement = select(func.count()).select_from(unread).compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {statement}")))
    assert "ix_notifications_user_read_at" in plan and "Seq Scan" not in plan
