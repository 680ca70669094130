"""The dashboard page: who sees which scope (404 outside it), bad filters answered with a clear message,
charts served by the app with their data tables, and the "6 rõ" and policy lists."""
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tracker.enums import Outcome, Role, Status

from .dashboard_data import list_count, numbers_and_links


def test_a_commune_officer_has_no_dashboard(client, login, commune_officer):
    login(commune_officer)
    for url in ("/dashboard", "/dashboard/gaps", "/dashboard/policy"):
        assert client.get(url).status_code == 404, url
    assert "/dashboard" not in client.get("/tickets").get_data(as_text=True)


def test_logging_in_comes_first(client):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_province_coordinator_asking_for_another_province_gets_404(client, login, province_coordinator, hcm):
    login(province_coordinator)
    assert client.get("/dashboard?province=79").status_code == 404
    assert client.get("/dashboard?province=01").status_code == 200


def test_a_specialist_asking_for_another_unit_gets_404(client, login, specialist, unit):
    login(specialist)
    assert client.get("/dashboard?unit=bo_tai_chinh").status_code == 404
    assert client.get(f"/dashboard?unit={unit.code}").status_code == 200


def test_a_specialist_without_a_unit_has_no_dashboard(client, login, make_user):
    login(make_user(Role.SPECIALIST))
    assert client.get("/dashboard").status_code == 404


@pytest.mark.parametrize("role", [Role.LEAD, Role.TRIAGE, Role.ADMIN])
def test_the_team_sees_the_whole_country(client, login, make_user, role):
    login(make_user(role))
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Trang tổng hợp" in page and "cả nước" in page


def test_a_period_ending_before_it_starts_is_a_clear_message(client, login, triage_user):
    login(triage_user)
    response = client.get("/dashboard?from=10/11/2026&to=01/11/2026")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Khoảng thời gian kết thúc (01/11/2026) trước khi bắt đầu (10/11/2026)." in page


@pytest.mark.parametrize(("query", "message"), [
    ("from=31/02/2026", "Không hiểu ngày “31/02/2026”"),
    ("to=yesterday", "Không hiểu ngày “yesterday”"),
    ("from=01/01/1900", "Không hiểu ngày “01/01/1900”"),
    ("category=khong_co", "Không có lĩnh vực “khong_co”."),
    ("province=00070", "Không có tỉnh, thành phố “00070”."),
    ("unit=<b>x</b>", "Không có đơn vị “&lt;b&gt;x&lt;/b&gt;”."),
])
def test_unknown_filter_values_are_reported(client, login, triage_user, hoan_kiem, query, message):
    login(triage_user)
    response = client.get(f"/dashboard?{query}")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_the_charts_come_from_the_app_with_their_numbers_in_tables(client, login, triage_user):
    login(triage_user)
    page = client.get("/dashboard").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert "/static/vendor/chartjs/chart.umd.min.js" in scripts and "/static/dashboard.js" in scripts
    assert all(src.startswith("/") and not src.startswith("//") for src in scripts)  # served by the app
    assert re.search(r'<script type="application/json" id="dashboard-data">\{.*"trend"', page)
    assert "<script>" not in page  # CSP: no inline script
    for chart in ("trend", "category", "locality", "unit"):
        assert f'id="chart-{chart}"' in page
    assert page.count('<table class="table table-sm dashboard-table') == 5
    assert client.get("/static/vendor/chartjs/chart.umd.min.js").status_code == 200


def test_the_gaps_list_shows_what_lacks_an_owner(client, login, triage_user, make_ticket, commune_officer, unit,
                                                  db):
    owned = make_ticket(commune_officer, title="Có người xử lý")
    orphan = make_ticket(commune_officer, title="Không ai xử lý")
    for ticket in (owned, orphan):
        ticket.status, ticket.lead_unit = Status.ASSIGNED.value, unit
    owned.assignee = triage_user
    db.session.commit()
    login(triage_user)
    page = client.get("/dashboard/gaps?lacking=owner").get_data(as_text=True)
    assert "Không ai xử lý" in page and "Có người xử lý" not in page
    assert list_count(triage_user, "/dashboard/gaps?lacking=owner") == 1


def test_the_policy_list_groups_answers_by_the_document_they_cite(client, login, triage_user, make_ticket,
                                                                   commune_officer, db):
    cited = {"A": "Điều 5 Nghị định 150/2025/NĐ-CP", "B": "nghị định số 150/2025/nđ-cp", "C": "", "D": ""}
    for name, basis in cited.items():
        ticket = make_ticket(commune_officer, title=f"Luật cần sửa {name}", legal_basis=basis)
        ticket.status = Status.ANSWERED.value if name != "D" else Status.IN_PROGRESS.value
        ticket.outcome = Outcome.NEEDS_LEGAL_CHANGE.value
    db.session.commit()
    login(triage_user)
    page = client.get("/dashboard/policy").get_data(as_text=True)
    assert "Nghị định 150/2025/NĐ-CP" in page and "Luật cần sửa D" not in page  # D was reopened
    assert list_count(triage_user, "/dashboard/policy?document=Nghị định 150/2025/NĐ-CP") == 2
    assert list_count(triage_user, "/dashboard/policy?document=none") == 1
    narrowed = client.get("/dashboard/policy?document=none").get_data(as_text=True)
    assert "Luật cần sửa C" in narrowed and "Luật cần sửa A" not in narrowed


def test_a_list_reached_from_a_number_says_what_it_holds(client, login, triage_user):
    login(triage_user)
    page = client.get("/tickets?answered_from=01/09/2026&answered=late&document=<i>x</i>").get_data(as_text=True)
    assert "trả lời từ ngày 01/09/2026; trả lời quá hạn; viện dẫn &lt;i&gt;x&lt;/i&gt;" in page
    assert '<input type="hidden" name="answered" value="late">' in page  # refiltering keeps them


def test_a_number_counting_obstacles_of_a_systemic_issue_leads_to_each_of_them(client, login, triage_user,
                                                                               make_ticket, commune_officer, db):
    """Lists show a systemic issue as one row; the dashboard counts obstacles, so its links list each one."""
    from tracker.systemic import create_issue

    tickets = [make_ticket(commune_officer, title=f"Vướng mắc chung {n}") for n in range(3)]
    create_issue(triage_user, title="Vấn đề chung về biên chế", tickets=tickets[:2])
    db.session.commit()
    login(triage_user)
    page = client.get("/dashboard").get_data(as_text=True)
    def query(url):
        return parse_qs(urlsplit(unescape(url)).query)

    url, number = next((u, n) for u, n in numbers_and_links(page) if query(u) == {"status": ["open"],
                                                                                      "each": ["obstacle"]})
    assert number == 3
    assert list_count(triage_user, url) == 3
    assert client.get(url.replace("&amp;", "&")).get_data(as_text=True).count('href="/tickets/PUN-') == 3
    assert client.get("/tickets?status=open").get_data(as_text=True).count('href="/tickets/PUN-') == 2


def test_the_dashboard_is_kept_rendered_until_tickets_change(client, login, db, triage_user, province_coordinator,
                                                             make_ticket, commune_officer, monkeypatch):
    """Rendered once per data version, minute, scope, filters and language: a second look reads neither numbers
    nor names, a new obstacle shows at once, and each scope and language keeps its own page."""
    from tracker import data_version
    from tracker.models import utcnow
    from tracker.views.dashboard import routes

    from .conftest import counting_queries

    now = utcnow()
    monkeypatch.setattr(routes, "utcnow", lambda: now)  # one minute throughout: the key holds the minute
    data_version.clear()
    make_ticket(commune_officer)

    def received(html):
        return int(re.search(r'data-kpi="received"><a [^>]*>(\d+)<', html).group(1))

    login(triage_user)
    assert received(client.get("/dashboard").get_data(as_text=True)) == 1
    with counting_queries() as statements:
        html = client.get("/dashboard").get_data(as_text=True)
    assert received(html) == 1 and "cả nước" in html
    assert not [s for s in statements if "from categories" in s.lower() or "from units" in s.lower()]
    client.post("/lang/en", data={"next": "/dashboard"})
    assert "the whole country" in client.get("/dashboard").get_data(as_text=True)

    make_ticket(commune_officer)
    assert received(client.get("/dashboard").get_data(as_text=True)) == 2
    login(province_coordinator)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "the whole country" not in html and "cả nước" not in html
    assert "By commune" in html or "Theo xã, phường, đặc khu" in html
