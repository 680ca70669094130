"""Browser journeys for the queues, bulk triage, filing on behalf and the admin pages (real Chromium)."""
from sqlalchemy import select

from tracker.enums import Role, Status
from tracker.models import RoutingRule, Ticket

from .test_browser import log_in, open_filters, pick


def test_triage_filters_then_bulk_assigns_from_the_queue(page, live_server, triage_user, commune_officer,
                                                        make_ticket, db, unit):
    first = make_ticket(commune_officer, title="Biên chế phường A")
    second = make_ticket(commune_officer, title="Biên chế phường B")
    other = make_ticket(commune_officer, title="Đất đai", category_code="dat_dai")
    log_in(page, live_server, triage_user)
    page.goto(f"{live_server}/triage")
    open_filters(page)
    page.fill("#f-q", "bien che")
    page.click("form.queue-filters button[type=submit]")
    page.wait_for_url("**/triage?*q=bien+che*")
    assert page.locator(f"text={other.reference}").count() == 0
    page.check(f"#sel-{first.reference}")
    page.check(f"#sel-{second.reference}")
    pick(page, "unit", "to chuc", "Vụ Tổ chức – Biên chế")
    page.click("fieldset button[type=submit]")
    page.wait_for_selector("text=Đã cập nhật 2 kiến nghị")
    assert "q=bien+che" in page.url
    for ticket in (first, second, other):
        db.session.refresh(ticket)
    assert (first.status, second.status, other.status) == (Status.ASSIGNED, Status.ASSIGNED, Status.NEW)


def test_triage_files_on_behalf_by_dispatch(page, live_server, triage_user, hoan_kiem, db):
    log_in(page, live_server, triage_user)
    page.goto(f"{live_server}/triage/new")
    pick(page, "locality", "hoan kiem", "Phường Hoàn Kiếm")
    page.select_option("select[name=channel]", "dispatch")
    page.fill("input[name=incoming_doc_number]", "125/UBND-NV")
    page.fill("input[name=incoming_doc_date]", "12/06/2025")
    pick(page, "category", "bien che", "Biên chế, vị trí việc làm")
    page.fill("input[name=title]", "Công văn về biên chế")
    page.fill("textarea[name=description]", "Theo công văn của phường.")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/tickets/PUN-*")
    assert "125/UBND-NV" in page.content()
    assert db.session.scalar(select(Ticket.channel)) == "dispatch"


def test_admin_creates_a_routing_rule(page, live_server, make_user, db):
    log_in(page, live_server, make_user(Role.ADMIN))
    page.goto(f"{live_server}/admin")
    page.click("text=Quy tắc phân luồng")
    page.click("text=Thêm quy tắc phân luồng")
    page.select_option("select[name=category]", "dat_dai")
    page.select_option("select[name=unit]", "bo_nn_mt")
    page.select_option("select[name=strategy]", "least_open")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=Đã lưu quy tắc phân luồng")
    rule = db.session.scalar(select(RoutingRule))
    assert (rule.category.code, rule.unit.code, rule.strategy) == ("dat_dai", "bo_nn_mt", "least_open")
