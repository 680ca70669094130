"""Browser journeys in real Chromium (Debian's package, driven by Playwright; no browser download)."""


def log_in(page, base, user):
    from .conftest import PASSWORD

    page.goto(f"{base}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def pick(page, field_id, typed, option=None):
    """Choose in a searchable picker as a person does: open it, type (accents optional), click the option."""
    focused = "id => document.getElementById(id).tomselect.isFocused"  # once its focus handler has run
    if not page.evaluate(focused, field_id):  # a multiple picker keeps the focus after a choice
        page.locator(f"#{field_id} + .ts-wrapper .ts-control").click()
        page.wait_for_function(focused, arg=field_id)
    page.keyboard.type(typed, delay=15)
    if page.locator(f"#{field_id}[data-lookup]").count():  # fetched as one types: let the answer arrive first
        page.wait_for_function("([id, typed]) => { const picker = document.getElementById(id).tomselect;"
                               " return picker.loadedSearches.hasOwnProperty(typed) && picker.loading === 0; }",
                               arg=[field_id, typed])
    page.locator(f"#{field_id}-ts-dropdown .option", has_text=option or typed).first.click()


def open_filters(page):
    """On a phone the queue's filters fold behind a button."""
    toggle = page.locator("button[aria-controls=queue-filters]")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        # Bootstrap adds .show when the unfolding ends: a click mid-animation (a slow, loaded machine) can
        # land on a button that is still moving, and no form is sent.
        page.wait_for_selector("#queue-filters.show:not(.collapsing)")
    page.wait_for_selector("#queue-filters:visible")


def test_commune_officer_files_an_obstacle_and_sees_it_in_the_list(page, live_server, commune_officer):
    log_in(page, live_server, commune_officer)
    page.goto(f"{live_server}/tickets/new")
    pick(page, "category", "bien che", "Biên chế, vị trí việc làm")
    page.fill("input[name=title]", "Vướng mắc biên chế công chức Phường Hoàn Kiếm")
    page.fill("textarea[name=description]", "Đề nghị hướng dẫn xác định biên chế sau sắp xếp.")
    page.fill("textarea[name=legal_basis]", "Nghị định 150/2025/NĐ-CP")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/tickets/PUN-*")
    assert "Kiến nghị của bạn đã được gửi với mã PUN-" in page.content()
    page.goto(f"{live_server}/tickets")
    row = page.locator("tr", has_text="Vướng mắc biên chế công chức Phường Hoàn Kiếm")
    assert row.count() == 1
    assert row.locator(".badge.status-new").inner_text() == "Mới tiếp nhận"


def test_admin_declares_a_day_off_on_the_year_calendar(page, live_server, make_user):
    from tracker.enums import Role

    admin = make_user(Role.ADMIN)
    log_in(page, live_server, admin)
    assert page.locator("a.dropdown-item[href='/admin/sla']").count() == 1
    page.goto(f"{live_server}/admin/sla?year=2026")
    page.fill("input[name=day]", "2026-12-31")
    page.select_option("select[name=kind]", "off")
    page.fill("input[name=reason]", "Quyết định nghỉ cuối năm")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/admin/sla?year=2026")
    assert "Đã cập nhật lịch làm việc." in page.content()
    assert page.locator("td.day-override-off[title='Quyết định nghỉ cuối năm']").count() == 1
    page.screenshot(path="/tmp/sla-calendar.png", full_page=True)
