"""Queues: filters and sorts in the query string, pagination that keeps them, and constant query counts."""
import datetime as dt

import pytest
from sqlalchemy import select

from tracker.enums import Role, Status
from tracker.models import Ticket, Unit

UTC = dt.UTC


def refs(html: str, tickets) -> list[str]:
    """The given tickets' references in the order the page shows them (absent ones left out)."""
    found = [(html.find(f">{t.reference}<"), t.reference) for t in tickets]
    return [r for pos, r in sorted(found) if pos >= 0]


@pytest.fixture
def three(commune_officer, make_ticket, make_user, ben_thanh, unit, specialist, db):
    """Three tickets that differ in every filterable way."""
    other = db.session.scalar(select(Unit).where(Unit.code == "bo_tai_chinh"))
    a = make_ticket(commune_officer, title="Biên chế công chức xã", now=dt.datetime(2026, 3, 2, 3, tzinfo=UTC))
    b = make_ticket(make_user(Role.COMMUNE, ben_thanh), category_code="dat_dai", title="Đất đai trụ sở",
                    requested_urgency="urgent", now=dt.datetime(2026, 3, 10, 3, tzinfo=UTC))
    c = make_ticket(commune_officer, category_code="tai_chinh", title="Kho bạc",
                    now=dt.datetime(2026, 3, 20, 3, tzinfo=UTC))
    a.lead_unit, a.assignee, a.status = unit, specialist, Status.ASSIGNED.value
    b.lead_unit, b.status, b.sla_state, b.urgency = other, Status.IN_PROGRESS.value, "breached", "hoa_toc"
    a.answer_due_at = dt.datetime(2026, 5, 1, tzinfo=UTC)
    b.answer_due_at = dt.datetime(2026, 4, 1, tzinfo=UTC)
    c.answer_due_at = dt.datetime(2026, 4, 15, tzinfo=UTC)
    db.session.commit()
    return a, b, c


@pytest.mark.parametrize("query,expected", [
    ("", "abc"),
    ("status=assigned", "a"),
    ("urgency=hoa_toc", "b"),
    ("category=tai_chinh", "c"),
    ("province=79", "b"),
    ("commune=00070", "ac"),
    ("unit=moha_tcbc", "a"),
    ("assignee=none", "bc"),
    ("sla_state=breached", "b"),
    ("filed_from=05/03/2026", "bc"),
    ("filed_to=2026-03-10", "ab"),
    ("filed_from=10/03/2026&filed_to=10/03/2026", "b"),
    ("q=%C4%91%E1%BA%A5t", "b"),  # đất
    ("q=100%25", ""),
    ("category=khong_co", ""),
    ("province=99", ""),
])
def test_general_list_filters(client, login, triage_user, three, query, expected):
    login(triage_user)
    html = client.get(f"/tickets?{query}").get_data(as_text=True)
    named = dict(zip("abc", three, strict=True))
    assert sorted(refs(html, three)) == sorted(named[k].reference for k in expected)


def test_assignee_me_and_by_id(client, login, specialist, three):
    a = three[0]
    login(specialist)
    assert refs(client.get("/tickets?assignee=me").get_data(as_text=True), three) == [a.reference]
    assert refs(client.get(f"/tickets?assignee={specialist.id}").get_data(as_text=True), three) == [a.reference]


@pytest.mark.parametrize("sort,order", [("", "cba"), ("age", "abc"), ("deadline", "bca"), ("urgency", "bac")])
def test_general_list_sorts(client, login, triage_user, three, sort, order):
    login(triage_user)
    named = dict(zip("abc", three, strict=True))
    html = client.get(f"/tickets?sort={sort}").get_data(as_text=True)
    assert refs(html, three) == [named[k].reference for k in order]


@pytest.mark.parametrize("bad", ["31/02/2026", "hôm qua", "2026-13-01", "x" * 500])
def test_bad_dates_are_ignored_with_a_visible_note(client, login, triage_user, three, bad):
    login(triage_user)
    response = client.get("/tickets", query_string={"filed_from": bad})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "không hiểu được" in html and len(refs(html, three)) == 3


def test_general_list_sorts_by_deadline_state_overdue_first(client, login, triage_user, three, db):
    a, b, c = three
    a.sla_state = "at_risk"  # b is breached, c on track
    db.session.commit()
    login(triage_user)
    html = client.get("/tickets?sort=sla").get_data(as_text=True)
    assert refs(html, three) == [b.reference, a.reference, c.reference]
    assert "Tình trạng hạn xử lý (quá hạn trước)" in html


@pytest.mark.parametrize("query", ["status=nope", "urgency=1", "sla_state=nope", "sort=drop", "assignee=-1",
                                   "assignee=99999999999", "page=abc", "page=-3", "unit=" + "x" * 300])
def test_unknown_filter_values_never_fail(client, login, triage_user, three, query):
    login(triage_user)
    assert client.get(f"/tickets?{query}").status_code == 200


def test_locality_filters_stay_inside_the_visibility_scope(client, login, commune_officer, three):
    login(commune_officer)
    html = client.get("/tickets?province=79").get_data(as_text=True)
    assert refs(html, three) == []


def test_pager_keeps_the_filters(client, login, triage_user, commune_officer, make_ticket, app):
    for _ in range(app.config["PAGE_SIZE"] + 1):
        make_ticket(commune_officer, category_code="dat_dai")
    login(triage_user)
    html = client.get("/tickets?category=dat_dai&sort=age").get_data(as_text=True)
    assert "page=2" in html and "category=dat_dai" in html.split("page=2")[0].rsplit('href="', 1)[1]


def test_unit_queue_shows_lead_and_coordinating_open_tickets(client, login, specialist, three, db, unit):
    a, b, c = three
    b.coordinating_units = [unit]
    c.lead_unit, c.status = unit, Status.CLOSED.value
    db.session.commit()
    login(specialist)
    html = client.get("/queue/unit").get_data(as_text=True)
    assert sorted(refs(html, three)) == sorted([a.reference, b.reference])
    closed = client.get("/queue/unit?status=closed").get_data(as_text=True)
    assert refs(closed, three) == [c.reference]


def test_specialist_cannot_pick_another_units_queue(client, login, specialist, three):
    login(specialist)
    html = client.get("/queue/unit?unit=bo_tai_chinh").get_data(as_text=True)
    assert refs(html, three) == [three[0].reference]


def test_triage_picks_any_unit_queue(client, login, triage_user, three):
    login(triage_user)
    assert refs(client.get("/queue/unit?unit=bo_tai_chinh").get_data(as_text=True), three) == [three[1].reference]
    assert client.get("/queue/unit?unit=khong_co").status_code == 404


def test_my_work_lists_my_open_tickets(client, login, specialist, three, db):
    login(specialist)
    assert refs(client.get("/queue/mine").get_data(as_text=True), three) == [three[0].reference]
    three[0].status = Status.CLOSED.value
    db.session.commit()
    assert refs(client.get("/queue/mine").get_data(as_text=True), three) == []


def test_my_work_shows_vietnamese_title(client, login, specialist):
    login(specialist)
    assert "Việc của tôi" in client.get("/queue/mine").get_data(as_text=True)


def test_triage_queue_filters_and_sorts(client, login, triage_user, commune_officer, make_ticket):
    old = make_ticket(commune_officer, title="Cũ", now=dt.datetime(2026, 3, 1, tzinfo=UTC))
    urgent = make_ticket(commune_officer, title="Gấp", requested_urgency="urgent",
                         now=dt.datetime(2026, 3, 5, tzinfo=UTC))
    login(triage_user)
    assert refs(client.get("/triage").get_data(as_text=True), [old, urgent]) == [old.reference, urgent.reference]
    assert refs(client.get("/triage?sort=urgency").get_data(as_text=True), [old, urgent]) == [
        urgent.reference, old.reference]
    assert refs(client.get("/triage?q=g%E1%BA%A5p").get_data(as_text=True), [old, urgent]) == [urgent.reference]


@pytest.mark.parametrize("user_fixture", ["commune_officer", "province_coordinator"])
@pytest.mark.parametrize("url", ["/queue/unit", "/queue/mine", "/triage", "/triage/new"])
def test_localities_cannot_open_team_queues(client, login, request, user_fixture, url):
    login(request.getfixturevalue(user_fixture))
    assert client.get(url).status_code == 404


def test_queue_pages_need_login(client):
    for url in ("/tickets", "/triage", "/queue/unit", "/queue/mine"):
        assert client.get(url).status_code == 302


@pytest.mark.parametrize("url", [
    "/tickets?sort=deadline", "/triage?sort=urgency", "/queue/unit?unit=moha_tcbc", "/queue/mine",
    "/tickets?category=bien_che&province=01&assignee=me&sla_state=on_track"])
def test_query_count_does_not_grow_with_rows(login, make_user, commune_officer, make_ticket, db, unit, url,
                                             page_queries):
    lead = make_user(Role.LEAD, unit=unit)
    login(lead)

    def add_tickets(n):
        for _ in range(n):
            ticket = make_ticket(commune_officer)
            if "queue" in url:
                ticket.lead_unit, ticket.assignee, ticket.status = unit, lead, Status.ASSIGNED.value
        db.session.commit()

    add_tickets(1)
    page_queries(url)  # per-process caches filled (the user's saved views)
    add_tickets(1)
    few = page_queries(url)
    add_tickets(10)
    assert page_queries(url) == few


def test_urgency_rank_follows_urgency(commune_officer, make_ticket, db):
    ticket = make_ticket(commune_officer)
    ticket.urgency = "hoa_toc"
    db.session.commit()
    assert db.session.scalar(select(Ticket.urgency_rank).where(Ticket.id == ticket.id)) == 0
