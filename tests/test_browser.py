"""Browser journeys in real Chromium (Debian's package, driven by Playwright; no browser download)."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, base, user):
    from .conftest import PASSWORD

    page.goto(f"{base}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def test_commune_officer_files_an_obstacle_and_sees_it_in_the_list(page, live_server, commune_officer):
    log_in(page, live_server, commune_officer)
    page.goto(f"{live_server}/tickets/new")
    page.select_option("select[name=category]", "bien_che")
    page.fill("input[name=title]", "Vướng mắc biên chế công chức Phường Hoàn Kiếm")
    page.fill("textarea[name=description]", "Đề nghị hướng dẫn xác định biên chế sau sắp xếp.")
    page.fill("textarea[name=legal_basis]", "Nghị định 150/2025/NĐ-CP")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/tickets/PUN-*")
    assert "Kiến nghị của bạn đã được gửi với mã PUN-" in page.content()
    page.goto(f"{live_server}/tickets")
    assert page.locator("text=Vướng mắc biên chế công chức Phường Hoàn Kiếm").count() == 1
    assert page.locator("text=Mới tiếp nhận").count() >= 1
