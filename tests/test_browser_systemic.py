"""In real Chromium: three communes file the same obstacle, triage links them from the suggestions, answers once,
and each commune reads the answer and rates it; before filing, an officer is shown the published guidance."""
import pytest
from sqlalchemy import select

from tracker.enums import Role, Status
from tracker.guidance import draft_from_ticket, publish
from tracker.models import SystemicIssue, Ticket
from tracker.workflow import answer

from .test_browser import log_in

TITLE = "Vướng mắc xác định biên chế công chức cấp xã sau sắp xếp"


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


def test_three_communes_one_answer_each_reads_and_rates_it(open_as, live_server, make_user, make_ticket, ba_dinh,
                                                          ben_thanh, commune_officer, triage_user, unit, db):
    officers = [commune_officer, make_user(Role.COMMUNE, ba_dinh), make_user(Role.COMMUNE, ben_thanh)]
    first, second, third = (make_ticket(o, title=TITLE, description="Đề nghị hướng dẫn cách tính biên chế.")
                            for o in officers)

    triage = open_as(triage_user)
    triage.goto(f"{live_server}/tickets/{first.reference}")
    suggestions = triage.locator(".systemic-suggestions li", has_text=second.reference)
    suggestions.locator("button").click()  # one click: both become one systemic issue
    triage.wait_for_url("**/systemic/VDC-*")
    code = triage.url.rsplit("/", 1)[-1]
    triage.goto(f"{live_server}/tickets/{third.reference}")
    triage.locator(".systemic-suggestions li", has_text=code).locator("button").click()  # one click: linked
    triage.wait_for_selector(f"text=Đã gắn {third.reference} vào {code}.")

    triage.goto(f"{live_server}/systemic/{code}")
    assert "3 địa phương đã kiến nghị nội dung này." in triage.content()
    triage.select_option("#route select[name=lead_unit]", unit.code)
    triage.click("#route button[type=submit]")
    triage.wait_for_selector("text=3 kiến nghị được giao xử lý theo")
    triage.fill("#answer textarea[name=body]", "Biên chế công chức cấp xã tính theo Nghị định 150/2025/NĐ-CP.")
    triage.select_option("#answer select[name=outcome]", "answered")
    triage.click("#answer button[type=submit]")
    triage.wait_for_selector("text=Đã gửi câu trả lời đến 3 kiến nghị của vấn đề chung.")

    for officer, ticket, score in zip(officers, (first, second, third), ("5", "4", "3"), strict=True):
        locality = open_as(officer)
        locality.goto(f"{live_server}/tickets/{ticket.reference}")
        assert locality.locator(".answer", has_text="tính theo Nghị định 150/2025/NĐ-CP").count() == 1
        assert "3 địa phương đã kiến nghị nội dung này." in locality.content()
        locality.select_option("#rate select[name=score]", score)
        locality.click("#rate button[type=submit]")
        locality.wait_for_selector("text=Cảm ơn đánh giá của bạn.")
    issue = db.session.scalar(select(SystemicIssue))
    ratings = db.session.execute(select(Ticket.reference, Ticket.status, Ticket.rating).order_by(Ticket.id)).all()
    assert issue.is_answered and [(s, r) for _ref, s, r in ratings] == [("answered", 5), ("answered", 4),
                                                                         ("answered", 3)]


def test_before_filing_the_officer_sees_the_published_guidance(open_as, live_server, commune_officer, make_ticket,
                                                              triage_user, specialist, unit, db):
    asked = make_ticket(commune_officer, title="Con dấu của phường mới", description="Chưa có con dấu mới.")
    asked.lead_unit, asked.status = unit, Status.IN_PROGRESS.value
    db.session.flush()
    answer(specialist, asked, version=asked.version, body="Dùng con dấu theo Nghị định 99.", outcome="answered")
    draft = draft_from_ticket(asked)
    draft.title = "Con dấu của xã, phường sau sắp xếp"
    publish(triage_user, draft)
    db.session.commit()

    officer = open_as(commune_officer)
    officer.goto(f"{live_server}/tickets/new")
    assert officer.locator("#similar-box").is_hidden()
    officer.fill("input[name=title]", "Xin hướng dẫn về con dấu của phường")
    link = officer.locator("#similar-box [data-kind=guidance] a", has_text="Con dấu của xã, phường sau sắp xếp")
    link.wait_for()
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    assert officer.locator("#similar-box [data-kind=answered] a", has_text="Con dấu của phường mới").count() == 1
