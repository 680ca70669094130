"""Browser journeys at a desk (1366 px) and on a phone (390 px), in real Chromium: the queue (page size,
select-all, header sort, saved view), the pickers, the phone's card list and the obstacle page. On the way,
axe-core (tests/assets/axe.min.js, vendored for the tests only) checks each key page for serious or critical
accessibility violations."""
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker import workflow
from tracker.enums import Role
from tracker.models import SavedView
from tracker.tickets import triage_ticket

from .test_browser import log_in, open_filters, pick

AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"
DESK, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture
def visit(browser, live_server):
    """A logged-in page at a width. The context bypasses the CSP only so that axe can be injected."""
    contexts = []

    def do(user, viewport=DESK):
        context = browser.new_context(locale="vi-VN", viewport=viewport, bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if user is not None:
            log_in(page, live_server, user)
            page.wait_for_url(lambda url: "/login" not in url)
        return page

    yield do
    for context in contexts:
        context.close()


def assert_accessible(page) -> None:
    """No serious or critical axe-core violation on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], page.url


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")


def test_the_login_page_is_accessible(visit, live_server):
    for viewport in (DESK, PHONE):
        page = visit(None, viewport)
        page.goto(f"{live_server}/login")
        assert_accessible(page)


def test_triage_works_the_queue_at_a_desk(visit, live_server, triage_user, many, db):
    page = visit(triage_user)
    page.goto(f"{live_server}/triage")
    assert_accessible(page)
    boxes = "input[type=checkbox][name=tickets]"
    assert page.locator(boxes).count() == 25
    page.select_option("#per-page", "50")  # submits itself
    page.wait_for_url("**/triage?page=1&per_page=50")
    assert page.locator(boxes).count() == 50
    page.check("input[data-select-all]")
    assert page.locator(f"{boxes}:checked").count() == 50
    assert page.locator("[data-selected-count]").inner_text() == "Đã chọn 50"
    page.uncheck("#sel-PUN-2026-000001")
    assert page.eval_on_selector("input[data-select-all]", "box => box.indeterminate")

    page.click("th.c-urg a")  # sort by clicking the header
    page.wait_for_url("**/triage?*sort=urgency*")
    assert "per_page=50" in page.url
    assert page.get_attribute("th.c-urg", "aria-sort") == "ascending"

    page.click("summary:has-text('Bộ lọc đã lưu')")
    page.fill("#view-name", "Khẩn nhất trước")
    page.click("text=Lưu bộ lọc này")
    page.wait_for_selector("text=Đã lưu bộ lọc “Khẩn nhất trước”.")
    view = db.session.scalar(select(SavedView))
    assert (view.page, view.query) == ("triage", "sort=urgency&per_page=50")
    page.goto(f"{live_server}/triage")
    page.click("summary:has-text('Bộ lọc đã lưu')")
    page.click("a.saved-view-link:has-text('Khẩn nhất trước')")
    page.wait_for_url("**/triage?sort=urgency&per_page=50")


def test_pickers_find_localities_without_accents_and_units_without_ctrl_click(visit, live_server, triage_user,
                                                                              commune_officer, make_ticket,
                                                                              ben_thanh, make_user, db):
    here = make_ticket(commune_officer, title="Ở Hoàn Kiếm")
    there = make_ticket(make_user(Role.COMMUNE, ben_thanh), title="Ở Bến Thành")
    page = visit(triage_user)
    page.goto(f"{live_server}/tickets")
    pick(page, "f-commune", "hoan kiem", "Phường Hoàn Kiếm")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url("**/tickets?commune=00070")
    assert page.locator(f"text={here.reference}").count() == 1
    assert page.locator(f"text={there.reference}").count() == 0
    assert "Phường Hoàn Kiếm" in page.locator("#f-commune + .ts-wrapper .ts-control").inner_text()

    page.goto(f"{live_server}/tickets/{here.reference}")
    assert_accessible(page)
    pick(page, "lead_unit", "to chuc bien che", "Vụ Tổ chức – Biên chế")
    pick(page, "coordinating_units", "tai chinh", "Bộ Tài chính")
    pick(page, "coordinating_units", "xay dung", "Bộ Xây dựng")  # a second one: no Ctrl-click
    page.keyboard.press("Escape")
    page.click("#triage button[type=submit]")
    page.wait_for_selector("text=Đã phân loại kiến nghị.")
    db.session.refresh(here)
    assert here.lead_unit.code == "moha_tcbc"
    assert sorted(u.code for u in here.coordinating_units) == ["bo_tai_chinh", "bo_xay_dung"]


def test_a_commune_officer_on_a_phone(visit, live_server, commune_officer, make_ticket, triage_user, unit,
                                      specialist, db):
    waiting = make_ticket(commune_officer, title="Phụ cấp thôn, tổ dân phố sau sáp nhập thôn")
    answered = make_ticket(commune_officer, title="Biên chế Trung tâm phục vụ hành chính công")
    triage_ticket(triage_user, answered, version=answered.version, category=answered.category, urgency="khan",
                  lead_unit=unit, assignee=specialist)
    workflow.answer(specialist, answered, version=answered.version, body="Áp dụng Nghị định 150.",
                    outcome="answered")
    db.session.commit()
    page = visit(commune_officer, PHONE)

    page.goto(f"{live_server}/tickets")
    assert no_sideways_scroll(page)
    assert_accessible(page)
    page.click("summary:has-text('Bộ lọc đã lưu')")
    assert no_sideways_scroll(page)
    card = page.locator("tr", has_text=waiting.title)
    for part in (".c-status .badge", ".c-due .badge", ".c-loc"):
        assert card.locator(part).is_visible(), part
    assert "Phường Hoàn Kiếm" in card.locator(".c-loc").inner_text()
    assert not card.locator(".c-unit").is_visible()
    page.click(".navbar-toggler")
    current = page.locator(".app-nav a[aria-current=page]")
    assert current.inner_text().strip() == "Kiến nghị" and current.is_visible()

    page.goto(f"{live_server}/tickets/new")
    assert no_sideways_scroll(page)
    assert_accessible(page)

    page.goto(f"{live_server}/tickets/{answered.reference}")
    assert no_sideways_scroll(page)
    assert_accessible(page)
    summary = page.locator(".ticket-summary").bounding_box()
    assert summary["y"] < 400  # on the first screen, before the description
    page.check("label:has-text('4 – Hài lòng')")
    page.click("#rate button[type=submit]")
    page.wait_for_selector("text=Cảm ơn đánh giá của bạn.")
    assert page.locator("#rate").count() == 0 and page.locator(".rating-given").inner_text().startswith("4/5")


def test_the_obstacle_page_at_both_widths(visit, live_server, triage_user, commune_officer, make_ticket):
    ticket = make_ticket(commune_officer, title="Xử lý trụ sở dôi dư của UBND cấp huyện cũ")
    for viewport in (DESK, PHONE):
        page = visit(triage_user, viewport)
        page.goto(f"{live_server}/tickets/{ticket.reference}")
        assert no_sideways_scroll(page)
        summary = page.locator(".ticket-summary")
        assert summary.bounding_box()["y"] < viewport["height"] / 2
        for words in ("Mới tiếp nhận", "Chưa chuyển đơn vị", "Chưa giao ai"):
            assert words in summary.inner_text()
        assert page.locator("#triage").get_attribute("open") is not None  # what applies now
        assert page.locator("#transfer").get_attribute("open") is None  # one click away
        page.click("#transfer > summary")
        assert page.locator("#transfer input[name=agency]").is_visible()
    assert_accessible(page)


def test_the_calendar_writes_dd_mm_yyyy_into_the_field(visit, live_server, triage_user):
    page = visit(triage_user)
    page.goto(f"{live_server}/triage/new")
    page.click("#incoming_doc_date + button")
    popup = page.locator(".date-popup")
    assert popup.is_visible()
    popup.locator(".datepicker-cell.day:not(.prev):not(.next)", has_text="12").first.click()
    value = page.input_value("#incoming_doc_date")
    assert value[:3] == "12/" and len(value) == 10 and not popup.is_visible()
    page.fill("#incoming_doc_date", "31/12/2025")  # typing stays free
    page.click("h1")
    assert page.input_value("#incoming_doc_date") == "31/12/2025"


def test_the_dashboard_is_accessible(visit, live_server, app, make_user):
    if not any(rule.rule == "/dashboard" for rule in app.url_map.iter_rules()):
        pytest.skip("the dashboard is not in this build yet (another branch builds it)")
    page = visit(make_user(Role.LEAD))
    page.goto(f"{live_server}/dashboard")
    assert_accessible(page)


def test_the_filters_fold_on_a_phone(visit, live_server, triage_user, many):
    page = visit(triage_user, PHONE)
    page.goto(f"{live_server}/triage")
    assert not page.locator("#f-q").is_visible()
    open_filters(page)
    page.fill("#f-q", "so 12")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url("**/triage?q=so+12")
    assert page.locator("#f-q").is_visible()  # open when a filter is set
    assert no_sideways_scroll(page)
    assert page.locator("tbody tr").all_inner_texts()[0].count("Vướng mắc số 12") == 1
    assert page.locator("tbody tr").count() == 1
