"""A queue's rendered rows, tabs and pager are kept per user, language and query string until tickets, systemic
issues or the reference data change, or the minute turns (views.pages.queue_parts): never shown stale after a
write, never shown to another user, and no statement of their own while kept."""
import datetime as dt
import re

from sqlalchemy import update

from tracker import data_version
from tracker.enums import Role
from tracker.models import Category, Ticket
from tracker.systemic import create_issue

from .conftest import counting_queries


def references(html: str) -> list[str]:
    return re.findall(r'<td class="c-ref"><a href="/tickets/([^"]+)"', html)


def test_a_kept_list_costs_no_statement_of_its_own(client, login, triage_user, many):
    login(triage_user)
    client.get("/tickets")
    with counting_queries() as kept:
        html = client.get("/tickets").text
    data_version.clear()
    with counting_queries() as afresh:
        assert client.get("/tickets").text == html
    assert len(kept) == 1 < len(afresh)  # the session's user, with the data versions


def test_a_filing_anywhere_shows_at_once(client, login, triage_user, commune_officer, make_ticket):
    make_ticket(commune_officer, title="Vướng mắc đã nộp")
    login(triage_user)
    before = references(client.get("/tickets").text)
    filed = make_ticket(commune_officer, title="Vướng mắc mới nộp")
    after = references(client.get("/tickets").text)
    assert filed.reference not in before and after[0] == filed.reference


def test_an_update_by_statement_shows_at_once(client, login, triage_user, many, db):
    login(triage_user)
    client.get("/tickets?status=new")
    db.session.execute(update(Ticket).where(Ticket.id == many[-1].id).values(status="closed"))
    db.session.commit()
    assert many[-1].reference not in references(client.get("/tickets?status=new").text)


def test_each_user_gets_their_own_rows(client, login, make_user, make_ticket, hoan_kiem, ba_dinh):
    own, other = make_user(Role.COMMUNE, hoan_kiem), make_user(Role.COMMUNE, ba_dinh)
    mine, theirs = make_ticket(own, title="Của Hoàn Kiếm"), make_ticket(other, title="Của Ba Đình")
    login(own)
    assert references(client.get("/tickets").text) == [mine.reference]
    login(other)
    assert references(client.get("/tickets").text) == [theirs.reference]


def test_the_language_and_the_query_string_are_part_of_the_key(client, login, triage_user, many):
    login(triage_user)
    vietnamese = client.get("/tickets").text
    client.post("/lang/en", data={"next": "/tickets"})
    english = client.get("/tickets").text
    assert "Mới tiếp nhận" in re.findall(r'<span class="badge status-new">([^<]+)</span>', vietnamese)
    assert "New" in re.findall(r'<span class="badge status-new">([^<]+)</span>', english)
    second = client.get("/tickets?page=2").text
    assert references(second) and not set(references(second)) & set(references(english))


def test_a_renamed_category_shows_at_once(client, login, triage_user, many, db):
    login(triage_user)
    client.get("/tickets")
    category = db.session.get(Category, many[0].category_id)
    category.name = "Biên chế (tên mới)"
    db.session.commit()
    assert "Biên chế (tên mới)" in client.get("/tickets").text


def test_the_minute_turning_makes_it_afresh(client, login, triage_user, many, monkeypatch):
    from tracker.views import pages

    login(triage_user)
    now = dt.datetime.now(dt.UTC).replace(second=30)
    monkeypatch.setattr(pages, "utcnow", lambda: now)
    client.get("/tickets")
    with counting_queries() as same_minute:
        client.get("/tickets")
    monkeypatch.setattr(pages, "utcnow", lambda: now + dt.timedelta(minutes=1))
    with counting_queries() as next_minute:
        client.get("/tickets")
    assert len(same_minute) < len(next_minute)


def test_a_new_systemic_issue_shows_on_its_rows_at_once(client, login, triage_user, many, db):
    login(triage_user)
    client.get("/tickets")
    issue = create_issue(triage_user, title="Biên chế cấp xã", tickets=many[-2:])
    db.session.commit()
    html = client.get("/tickets").text
    assert html.count(f">{issue.code} · ") == 1  # its two obstacles as one row, with the issue's badge


def test_triage_suggestions_carry_this_sessions_token(app, login, triage_user, many):
    """The suggestions' forms are rendered for each request: another session of the same user gets its own."""
    first, second = app.test_client(), app.test_client()
    login(triage_user, test_client=first)
    login(triage_user, test_client=second)
    tokens = []
    for session in (first, second):
        html = session.get("/triage").text
        found = re.findall(r'action="/systemic"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', html)
        assert found  # the page's look-alike rows ("Vướng mắc biên chế N") are offered as one issue
        tokens.append(found[0])
    assert tokens[0] != tokens[1]


def test_a_renamed_systemic_issue_shows_at_once_in_triages_suggestions(client, login, triage_user, many, db):
    issue = create_issue(triage_user, title="Vướng mắc số", tickets=many[-2:])
    db.session.commit()
    login(triage_user)
    assert "Vướng mắc số</span>" in client.get("/triage").text  # unlinked rows look like it
    issue.title = "Vướng mắc số cấp xã"
    db.session.commit()
    assert "Vướng mắc số cấp xã</span>" in client.get("/triage").text


def test_triages_kept_parts_hold_its_suggestions(client, login, triage_user, many):
    login(triage_user)
    first = client.get("/triage").text
    with counting_queries() as kept:
        again = client.get("/triage").text
    assert len(kept) == 1  # the suggestions' open issues are not read again
    shown = re.findall(r'name="tickets" value="([^"]+)"><a', first)
    assert shown and shown == re.findall(r'name="tickets" value="([^"]+)"><a', again)
