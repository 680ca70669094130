"""The whole journey in real Chromium: triage assigns → the specialist answers → the commune officer confirms."""
import pytest

from .test_browser import log_in, pick


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def do(user):
        context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})  # a phone
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, live_server, user)
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    yield do
    for context in contexts:
        context.close()


def test_triage_assigns_specialist_answers_locality_confirms(open_as, live_server, make_ticket, commune_officer,
                                                             triage_user, specialist, unit, db):
    ticket = make_ticket(commune_officer, title="Xác định biên chế phường sau sắp xếp")
    url = f"{live_server}/tickets/{ticket.reference}"

    triage = open_as(triage_user)
    triage.goto(url)
    pick(triage, "lead_unit", "to chuc bien che", unit.name)
    pick(triage, "assignee", specialist.name[:8], specialist.name)
    triage.click(f"form[action$='/triage/{ticket.reference}'] button[type=submit]")
    triage.wait_for_selector("text=Đã giao xử lý")

    answering = open_as(specialist)
    answering.goto(url)
    answering.fill("#answer textarea[name=body]", "Đề nghị áp dụng Nghị định 150/2025/NĐ-CP, Điều 5.")
    answering.select_option("#answer select[name=outcome]", "needs_legal_change")
    answering.fill("#answer input[name=reply_doc_number]", "4168/BNV-CQDP")
    answering.click("#answer button[type=submit]")
    answering.wait_for_selector("text=Câu trả lời đã được gửi đến địa phương.")
    assert answering.locator(".badge.status-answered").count() == 1

    locality = open_as(commune_officer)
    locality.goto(url)
    assert locality.locator("text=Đề nghị áp dụng Nghị định 150/2025/NĐ-CP, Điều 5.").count() == 1
    locality.click("#confirm button[value=confirm]")
    locality.wait_for_selector("text=Cảm ơn: kiến nghị đã kết thúc.")
    assert locality.locator(".badge.status-closed").inner_text() == "Đã kết thúc"
    db.session.refresh(ticket)
    assert (ticket.status, ticket.outcome) == ("closed", "needs_legal_change")
