"""The weekly report preview in real Chromium: the HTML email renders in its frame, styles and all."""
from tracker.enums import Role

from .test_browser import log_in


def test_admin_previews_a_weekly_report_in_the_browser(page, live_server, make_user, triage_user):
    admin = make_user(Role.ADMIN)
    log_in(page, live_server, admin)
    page.goto(f"{live_server}/admin/mail/outbox")
    page.click("text=Xem trước báo cáo tuần")
    page.fill("input[name=email]", triage_user.email)
    page.fill("input[name=week]", "2026-W10")
    page.click("main form button[type=submit]")
    frame = page.frame_locator("iframe.mail-preview")
    frame.locator("text=Tỷ lệ trả lời đúng hạn").wait_for()
    # Inline styles apply inside the frame (its own CSP allows them; scripts stay forbidden).
    table = frame.locator("table[style*='border-collapse']").first
    assert table.evaluate("t => getComputedStyle(t).borderCollapse") == "collapse"
    page.screenshot(path="/tmp/mail-preview.png", full_page=True)
