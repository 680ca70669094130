"""Queues built for volume: page sizes, a bounded total and status tabs counted in one round trip, page
jumps, header sorts, age and days overdue in working days, unknown filter values reported, and the filters
a locality cannot use left out."""
import datetime as dt
import re

import pytest
from sqlalchemy import select

from tracker import paging
from tracker.enums import Role, Status
from tracker.models import Ticket

from .conftest import counting_queries

UTC = dt.UTC
ROW = re.compile(r'<td class="c-ref"><a href="/tickets/(PUN-\d{4}-\d{6})"')


def rows(html: str) -> list[str]:
    return ROW.findall(html)


def test_page_size_is_25_50_or_100(client, login, triage_user, many):
    login(triage_user)
    for asked, shown in [("25", 25), ("50", 50), ("100", 60), ("", 25), ("7", 25), ("abc", 25), ("-50", 25),
                         ("1000000", 25)]:
        response = client.get(f"/tickets?per_page={asked}")
        assert response.status_code == 200
        assert len(rows(response.get_data(as_text=True))) == shown, asked


def test_page_links_keep_the_page_size_and_filters(client, login, triage_user, many):
    login(triage_user)
    html = client.get("/tickets?per_page=50&q=vuong").get_data(as_text=True)
    nxt = re.search(r'href="(/tickets\?[^"]*page=2[^"]*)"', html).group(1)
    assert "per_page=50" in nxt and "q=vuong" in nxt
    assert len(rows(client.get(nxt.replace("&amp;", "&")).get_data(as_text=True))) == 10


def test_jumping_to_a_page_and_past_the_last_one(client, login, triage_user, many):
    login(triage_user)
    second = rows(client.get("/tickets?page=2&sort=age").get_data(as_text=True))
    assert second[0] == many[25].reference
    assert rows(client.get("/tickets?page=999&sort=age").get_data(as_text=True))[-1] == many[-1].reference
    assert client.get("/tickets?page=-3").status_code == 200
    assert client.get("/tickets?page=abc").status_code == 200


def test_the_total_is_bounded_and_shown_with_a_plus(client, login, triage_user, many, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 30)
    login(triage_user)
    html = client.get("/tickets").get_data(as_text=True)
    assert '<span class="badge text-bg-secondary queue-total">30+</span>' in html
    assert 'max="2"' in html  # pages to jump to: within the counted range
    assert rows(client.get("/tickets?page=5").get_data(as_text=True)) == rows(
        client.get("/tickets?page=2").get_data(as_text=True))  # clamped to the last page within the count


def test_counts_use_the_language_digit_grouping(app):
    from flask_babel import force_locale

    from tracker.i18n import format_count

    with app.test_request_context():
        with force_locale("vi"):
            assert (format_count(12_345), format_count(10_001, cap=10_000)) == ("12.345", "10.000+")
        with force_locale("en"):
            assert (format_count(12_345), format_count(10_000, cap=10_000)) == ("12,345", "10,000")


def test_status_tabs_show_each_status_count(client, login, triage_user, many, db):
    for ticket in many[:3]:
        ticket.status = Status.ASSIGNED.value
    many[3].status = Status.CLOSED.value
    db.session.commit()
    login(triage_user)
    html = client.get("/tickets").get_data(as_text=True)
    tabs = dict(re.findall(r'status=(\w+)"[^>]*>[^<]+<span class="tab-count">(\d+)</span>', html))
    assert (tabs["new"], tabs["assigned"], tabs["closed"], tabs["answered"]) == ("56", "3", "1", "0")
    chosen = client.get("/tickets?status=assigned").get_data(as_text=True)
    assert len(rows(chosen)) == 3 and 'aria-current="page" href="/tickets?status=assigned"' in chosen


def test_tabs_and_total_come_from_one_statement(client, login, triage_user, many):
    login(triage_user)
    with counting_queries() as statements:
        client.get("/tickets")
    counts = [s for s in statements if "count(*)" in s.lower() and "FROM tickets" in s]
    assert len(counts) == 1 and counts[0].lower().count("count(*)") == 9  # all + 8 statuses


def test_unit_queue_tabs_are_the_open_statuses(client, login, specialist, make_ticket, commune_officer, unit, db):
    ticket = make_ticket(commune_officer)
    ticket.lead_unit, ticket.status = unit, Status.IN_PROGRESS.value
    db.session.commit()
    login(specialist)
    html = client.get("/queue/unit").get_data(as_text=True)
    assert "Tất cả đang mở" in html and "status=in_progress" in html and "status=closed" not in html


@pytest.mark.parametrize("url", ["/tickets", "/triage", "/queue/unit?unit=moha_tcbc", "/queue/mine",
                                 "/tickets?commune=00070&category=bien_che&unit=moha_tcbc&assignee=1"])
def test_a_team_page_runs_at_most_8_queries(login, make_user, page_queries, many, unit, url):
    login(make_user(Role.LEAD, unit=unit))
    assert page_queries(url) <= 8


@pytest.mark.parametrize("who", ["commune_officer", "province_coordinator"])
def test_a_locality_list_runs_at_most_8_queries(request, login, page_queries, many, who):
    login(request.getfixturevalue(who))
    assert page_queries("/tickets?category=bien_che") <= 8


def test_headers_sort_by_the_queues_sorts(client, login, triage_user, many):
    login(triage_user)
    html = client.get("/triage").get_data(as_text=True)
    for sort in ("urgency", "deadline", "sla", "newest"):
        assert f"sort={sort}" in html
    assert re.search(r'<th scope="col" class="c-filed" aria-sort="ascending">', html)  # the queue's default
    newest = client.get("/triage?sort=newest").get_data(as_text=True)
    assert re.search(r'class="c-filed" aria-sort="descending"><a class="sort-link" href="/triage\?sort=age"', newest)
    assert rows(newest)[0] == many[-1].reference


def test_age_and_days_overdue_are_counted_in_working_days(client, login, triage_user, commune_officer,
                                                         make_ticket, db, monkeypatch):
    from tracker.views import pages

    now = dt.datetime(2026, 3, 13, 3, tzinfo=UTC)  # Friday 13/3/2026, 10:00 in Hà Nội
    monkeypatch.setattr(pages, "utcnow", lambda: now)
    late = make_ticket(commune_officer, title="Quá hạn", now=dt.datetime(2026, 2, 27, 3, tzinfo=UTC))  # a Friday
    late.answer_due_at = dt.datetime(2026, 3, 9, 10, tzinfo=UTC)  # Monday 9/3, 17:00 local
    paused = make_ticket(commune_officer, title="Chờ địa phương", now=dt.datetime(2026, 3, 2, 3, tzinfo=UTC))
    paused.answer_due_at, paused.status = dt.datetime(2026, 3, 3, 10, tzinfo=UTC), Status.AWAITING_LOCALITY.value
    db.session.commit()
    login(triage_user)
    html = client.get("/tickets?sort=age").get_data(as_text=True)
    late_row = html[html.index(late.reference):html.index(paused.reference)]
    assert '<td class="c-age">10</td>' in late_row  # 2/3 to 13/3: two working weeks
    assert '<span class="over">4<' in late_row  # Tuesday to Friday
    paused_row = html[html.index(paused.reference):]
    assert '<td class="c-age">9</td>' in paused_row and 'class="over"' not in paused_row.split("</tr>")[0]


def test_a_holiday_is_not_a_working_day_of_age(client, login, triage_user, commune_officer, make_ticket,
                                             monkeypatch):
    from tracker.views import pages

    monkeypatch.setattr(pages, "utcnow", lambda: dt.datetime(2025, 9, 4, 3, tzinfo=UTC))  # Thursday 4/9/2025
    ticket = make_ticket(commune_officer, now=dt.datetime(2025, 8, 29, 3, tzinfo=UTC))  # Friday 29/8
    login(triage_user)
    html = client.get("/tickets").get_data(as_text=True)
    row = html[html.index(ticket.reference):]
    assert '<td class="c-age">2</td>' in row  # 1 and 2 September are National Day holidays: 3 and 4 count


UNKNOWN = [
    ("status=dong", "Trạng thái: không có giá trị “dong”; điều kiện lọc này được bỏ qua."),
    ("urgency=gap", "Mức độ khẩn: không có giá trị “gap”"),
    ("sla_state=late", "Tình trạng hạn xử lý: không có giá trị “late”"),
    ("sort=random", "Sắp xếp theo: không có giá trị “random”"),
    ("assignee=bob", "Người xử lý: không có giá trị “bob”"),
    ("category=khong_co", "Lĩnh vực: không có giá trị “khong_co”, nên không kiến nghị nào phù hợp."),
    ("unit=bo_khong_co", "Đơn vị chủ trì: không có giá trị “bo_khong_co”, nên không kiến nghị nào phù hợp."),
    ("province=00070", "Tỉnh, thành phố: không có giá trị “00070”"),  # a commune is not a province
    ("commune=99999", "Xã, phường, đặc khu: không có giá trị “99999”"),
    ("assignee=999999", "Người xử lý: không có giá trị “999999”"),
    ("province=123456", "Tỉnh, thành phố: không có giá trị “123456”"),
    ("filed_from=31/02/2026", "Ngày “31/02/2026” không hiểu được"),
]


def test_an_unknown_filter_value_is_reported_beside_the_filters(client, login, triage_user, hoan_kiem):
    login(triage_user)
    for query, words in UNKNOWN:
        response = client.get(f"/tickets?{query}")
        assert response.status_code == 200
        notes = re.findall(r'<div class="alert alert-warning py-2 filter-note" role="status">(.*?)</div>',
                           response.get_data(as_text=True))
        assert any(words in note for note in notes), (query, notes)


def test_a_reported_value_is_escaped(client, login, triage_user):
    login(triage_user)
    html = client.get("/tickets?status=<b>x</b>&category=<i>y</i>&filed_to=<s>z").get_data(as_text=True)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<i>y</i>" not in html and "<s>z" not in html


def test_known_values_are_not_reported(client, login, triage_user, hoan_kiem, specialist):
    login(triage_user)
    html = client.get(f"/tickets?status=new&commune=00070&province=01&unit=moha_tcbc&assignee={specialist.id}"
                      "&category=bien_che&sort=age&filed_from=01/01/2026").get_data(as_text=True)
    assert "filter-note" not in html
    assert '<option value="00070" selected>Phường Hoàn Kiếm</option>' in html
    assert f'<option value="{specialist.id}" selected>Chuyên viên TCBC</option>' in html


def test_a_commune_officer_sees_only_the_filters_it_can_use(client, login, commune_officer):
    login(commune_officer)
    html = client.get("/tickets").get_data(as_text=True)
    for name in ("province", "commune", "unit", "assignee"):
        assert f'name="{name}"' not in html
    for name in ("q", "category", "urgency", "sla_state", "filed_from", "filed_to"):
        assert f'name="{name}"' in html


def test_a_province_coordinator_picks_among_its_communes(client, login, province_coordinator):
    login(province_coordinator)
    html = client.get("/tickets").get_data(as_text=True)
    assert 'name="commune"' in html and "/lookup/localities?level=commune" in html
    for name in ("province", "unit", "assignee"):
        assert f'name="{name}"' not in html


def test_the_page_never_sends_the_list_of_communes(client, login, triage_user, many, db):
    from tracker.models import Locality

    for n in range(40):
        db.session.add(Locality(code=f"9{n:04d}", name=f"Xã Thử {n}", level="commune", division_type="xã",
                                parent_id=many[0].province_id))
    db.session.commit()
    login(triage_user)
    html = client.get("/tickets").get_data(as_text=True)
    assert "Xã Thử" not in html


def test_select_all_on_the_page_is_offered_to_triage(client, login, triage_user, many):
    login(triage_user)
    html = client.get("/triage").get_data(as_text=True)
    assert 'data-select-all aria-label="Chọn tất cả kiến nghị trên trang này"' in html
    assert html.count('type="checkbox" name="tickets"') == 25


def test_overdue_rows_are_marked(client, login, triage_user, many, db, monkeypatch):
    many[0].answer_due_at = dt.datetime(2026, 1, 6, 10, tzinfo=UTC)
    db.session.commit()
    login(triage_user)
    html = client.get("/tickets?sort=age").get_data(as_text=True)
    first_row = html[html.index("<tbody>"):].split("</tr>")[0]
    assert 'class="is-overdue"' in first_row and db.session.scalar(select(Ticket.id)) is not None
