"""GET /api/v1/stats: the dashboard's numbers as JSON, same filters, same scope, 404 outside it, 422 for a
filter that cannot be applied."""
import pytest

from .conftest import counting_calls
from .dashboard_data import list_count, populate


@pytest.fixture
def population(make_user, make_ticket, unit, commune_officer, province_coordinator, ben_thanh, hanoi):
    return populate(make_user, make_ticket, unit, commune_officer, province_coordinator, ben_thanh, hanoi)


def test_the_stats_are_the_dashboards_numbers_and_each_equals_its_list(client, bearer, population, login):
    _tickets, users = population
    stats = client.get("/api/v1/stats", headers=bearer(users["lead"])).get_json()
    assert stats["scope"]["level"] == "country"
    totals = stats["totals"]
    assert (totals["open"], totals["received"], totals["answer_compliance"]) == (5, 8, 67)
    for measure, url in stats["links"].items():
        if measure in totals:
            assert list_count(users["lead"], url) == totals[measure], measure
    assert len(stats["trend"]) == 12 and {"by_category", "by_province", "by_unit", "by_assignee"} <= stats.keys()
    login(users["lead"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert f'data-kpi="open"><a href="{stats["links"]["open"]}">{totals["open"]}</a>' in page.replace("&amp;", "&")


def test_the_same_filters_narrow_the_stats(client, bearer, population):
    _tickets, users = population
    headers = bearer(users["lead"])
    hanoi = client.get("/api/v1/stats?province=01", headers=headers).get_json()
    assert hanoi["totals"]["received"] == 5 and hanoi["scope"]["province"] == "01"
    iso = client.get("/api/v1/stats?from=2020-01-01&to=2026-12-31", headers=headers).get_json()
    assert iso["period"] == {"from": "2020-01-01", "to": "2026-12-31"} and iso["totals"]["received"] == 10


def test_a_province_coordinator_gets_their_province_by_commune_and_404_elsewhere(client, bearer, population,
                                                                                  province_coordinator):
    headers = bearer(province_coordinator)
    mine = client.get("/api/v1/stats", headers=headers).get_json()
    assert mine["scope"] == {"level": "province", "province": "01", "unit": None, "category": None}
    assert {row["code"] for row in mine["by_commune"]} == {"01", "00070"}
    response = client.get("/api/v1/stats?province=79", headers=headers)
    assert response.status_code == 404 and response.is_json


def test_a_commune_officer_gets_404(client, bearer, commune_officer):
    assert client.get("/api/v1/stats", headers=bearer(commune_officer)).status_code == 404


def test_without_a_token_it_is_401(client):
    assert client.get("/api/v1/stats").status_code == 401


@pytest.mark.parametrize(("query", "field", "message"), [
    ("from=10/11/2026&to=01/11/2026", "to", "Khoảng thời gian kết thúc (01/11/2026) trước khi bắt đầu (10/11/2026)."),
    ("from=hôm qua", "from", "Không hiểu ngày “hôm qua”"),
    ("category=x" * 30, "category", "Không có lĩnh vực"),
    ("unit=none", "unit", "Không có đơn vị “none”."),
])
def test_a_filter_that_cannot_be_applied_is_422_in_the_users_language(client, bearer, triage_user, query, field,
                                                                        message):
    response = client.get(f"/api/v1/stats?{query}", headers=bearer(triage_user))
    assert response.status_code == 422
    assert message in response.get_json()["errors"][field]


def test_the_stats_endpoint_is_in_the_openapi_document(client):
    assert "/api/v1/stats" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_the_stats_document_is_kept_until_tickets_change(client, bearer, db, make_ticket, commune_officer,
                                                          triage_user, province_coordinator, monkeypatch):
    """Built once per data version and minute (as the dashboard's numbers): a second call reads neither numbers
    nor the rows' names, a new obstacle shows at once, and each scope keeps its own document."""
    from tracker import data_version
    from tracker.models import utcnow
    from tracker.views.api import stats

    from .conftest import counting_queries

    now = utcnow()
    monkeypatch.setattr(stats, "utcnow", lambda: now)  # one minute throughout: the key holds the minute
    data_version.clear()
    make_ticket(commune_officer)
    team, province = bearer(triage_user), bearer(province_coordinator)
    assert client.get("/api/v1/stats", headers=team).get_json()["totals"]["received"] == 1
    with counting_queries() as statements:
        again = client.get("/api/v1/stats", headers=team).get_json()
    assert again["totals"]["received"] == 1
    assert not [s for s in statements if "from categories" in s.lower() or "from units" in s.lower()]
    assert len(statements) <= 2  # the token and the data version
    assert "by_commune" in client.get("/api/v1/stats", headers=province).get_json()
    make_ticket(commune_officer)
    assert client.get("/api/v1/stats", headers=team).get_json()["totals"]["received"] == 2


def test_a_kept_stats_document_is_sent_as_written_the_first_time(client, bearer, make_ticket, commune_officer,
                                                                 triage_user, monkeypatch):
    """Kept as JSON text: the same bytes as the document written afresh, not written again by the schema."""
    from tracker import data_version
    from tracker.models import utcnow
    from tracker.views.api import schemas, stats

    now = utcnow()
    monkeypatch.setattr(stats, "utcnow", lambda: now)  # one minute throughout: the key holds the minute
    make_ticket(commune_officer)
    team = bearer(triage_user)
    data_version.clear()
    first = client.get("/api/v1/stats", headers=team)
    written = counting_calls(monkeypatch, schemas.PlainDict, "_serialize")
    kept = client.get("/api/v1/stats", headers=team)
    assert written == [] and kept.get_data() == first.get_data() and kept.mimetype == "application/json"
    data_version.clear()
    assert client.get("/api/v1/stats", headers=team).get_data() == first.get_data() and written
