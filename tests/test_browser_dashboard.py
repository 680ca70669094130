"""Browser journey (real Chromium, a 390 px phone): the lead opens the dashboard, its charts draw, a number
leads to its list with that many obstacles, and the list downloads as XLSX."""

import io

import openpyxl

from .dashboard_data import populate
from .test_browser import log_in


def test_the_lead_follows_a_number_to_its_list_and_downloads_it(page, live_server, make_user, make_ticket, unit,
                                                                commune_officer, province_coordinator, ben_thanh,
                                                                hanoi):
    _tickets, users = populate(make_user, make_ticket, unit, commune_officer, province_coordinator, ben_thanh,
                               hanoi)
    problems = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda response: problems.append(response.url)
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    log_in(page, live_server, users["lead"])
    page.goto(f"{live_server}/dashboard")
    page.wait_for_selector("#chart-trend")
    drawn = page.evaluate("['trend', 'category', 'locality', 'unit']"
                          ".map(id => !!Chart.getChart(document.getElementById('chart-' + id)))")
    assert drawn == [True, True, True, True]
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    assert problems == []  # nothing refused by the CSP, no script error

    open_number = page.locator('[data-kpi="open"] a')
    expected = int(open_number.inner_text())
    assert expected == 5
    open_number.click()
    page.wait_for_url("**/tickets?*status=open*")
    assert page.locator("table.queue-table tbody tr").count() == expected

    with page.expect_download() as download:
        page.locator(".export-buttons a", has_text="Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as saved:  # saved under a name without its extension
        sheet = openpyxl.load_workbook(io.BytesIO(saved.read())).active
    assert sheet.cell(row=1, column=1).value == "Mã kiến nghị"
    assert sheet.max_row - 1 == expected


def test_the_province_table_sorts_by_a_column(page, live_server, make_user, make_ticket, unit, commune_officer,
                                             province_coordinator, ben_thanh, hanoi):
    _tickets, users = populate(make_user, make_ticket, unit, commune_officer, province_coordinator, ben_thanh,
                               hanoi)
    log_in(page, live_server, users["lead"])
    page.goto(f"{live_server}/dashboard")
    table = page.locator("section[aria-labelledby=h-locality] table")
    table.locator("thead button", has_text="Tiếp nhận").click()
    assert table.locator("thead th[aria-sort=descending]").count() == 1
    first_two = table.locator("tbody tr th").all_inner_texts()[:2]
    assert first_two == ["Thành phố Hà Nội", "Thành phố Hồ Chí Minh"]  # 5 and 4 received
