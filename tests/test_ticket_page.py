"""The obstacle page tells you what to do next: the summary on top, what applies now open, history in words,
the rating labelled and gone once given; and forms that explain themselves (dates as dd/mm/yyyy, required
fields marked, icons from the served set)."""
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker import data_version, workflow
from tracker.models import Attachment, Category, Ticket, Unit
from tracker.tickets import triage_ticket

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def routed(db, make_ticket, commune_officer, triage_user, unit, specialist):
    """An obstacle triage routed to Vụ Tổ chức – Biên chế, with Bộ Tài chính coordinating, then recategorised."""
    ticket = make_ticket(commune_officer, title="Biên chế Trung tâm phục vụ hành chính công")
    finance = db.session.scalar(select(Unit).where(Unit.code == "bo_tai_chinh"))
    land = db.session.scalar(select(Category).where(Category.code == "dat_dai"))
    triage_ticket(triage_user, ticket, version=ticket.version, category=land, urgency="khan", lead_unit=unit,
                  assignee=specialist, coordinating_units=[finance])
    db.session.commit()
    return ticket


def section(html: str, marker: str, end: str = "</section>") -> str:
    start = html.index(marker)
    return html[start:html.index(end, start)]


def test_the_summary_on_top_says_status_deadline_unit_and_assignee(client, login, routed, commune_officer):
    login(commune_officer)
    html = client.get(f"/tickets/{routed.reference}").get_data(as_text=True)
    summary = section(html, 'class="ticket-summary')
    assert html.index('class="ticket-summary') < html.index('class="ticket-layout"')
    for words in ("Đã giao xử lý", "Bộ Nội vụ – Vụ Tổ chức – Biên chế", "Chuyên viên TCBC", "Khẩn"):
        assert words in summary
    assert re.search(r'<small class="sla-left">còn \d+ ngày làm việc</small>', summary)


def test_history_names_units_and_categories_never_their_codes(client, login, routed, commune_officer, make_user):
    from tracker.enums import Role

    for user in (commune_officer, make_user(Role.LEAD)):
        login(user)
        for language in ("vi", "en"):
            client.post(f"/lang/{language}")
            history = section(client.get(f"/tickets/{routed.reference}").get_data(as_text=True), 'id="history"')
            for code in ("moha_tcbc", "bo_tai_chinh", "dat_dai", "bien_che", "khan"):
                assert code not in history, (user.role, language, code)
            assert "Bộ Nội vụ – Vụ Tổ chức – Biên chế" in history and "Bộ Tài chính" in history
            assert "Đất đai, hồ sơ địa chính" in history


def test_history_keeps_a_code_that_names_nothing(client, login, routed, commune_officer, db):
    from tracker.history import record

    record(routed, None, "changed", "lead_unit", "vu_da_giai_the", None)
    db.session.commit()
    login(commune_officer)
    history = section(client.get(f"/tickets/{routed.reference}").get_data(as_text=True), 'id="history"')
    assert "vu_da_giai_the" in history  # shown as stored rather than hidden


def test_the_history_costs_one_query_for_all_its_names(client, login, routed, triage_user, db, page_queries):
    from tracker.history import record

    def count() -> int:
        data_version.clear()  # the page made afresh, not kept (views.pages.render_ticket_page)
        return page_queries(f"/tickets/{routed.reference}")

    login(triage_user)
    few = count()
    for old, new in [("moha_tcbc", "bo_xay_dung"), ("bo_xay_dung", "bo_y_te"), ("bo_y_te", "moha_cqdp")]:
        record(routed, triage_user, "changed", "lead_unit", old, new)
        record(routed, triage_user, "changed", "category", "dat_dai", "tai_chinh")
    db.session.commit()
    html = client.get(f"/tickets/{routed.reference}").get_data(as_text=True)
    assert "Bộ Xây dựng" in html and "Tài chính, ngân sách, kho bạc" in html
    assert count() == few


def opened(html: str) -> list[str]:
    return re.findall(r'<details class="card action action-now[^"]*" id="(\w+)" open>', html)


def closed(html: str) -> list[str]:
    return re.findall(r'<details class="card action action-more[^"]*" id="(\w+)">', html)


def test_triage_sees_the_triage_form_open_and_the_rest_one_click_away(client, login, triage_user, make_ticket,
                                                                     commune_officer):
    ticket = make_ticket(commune_officer)
    login(triage_user)
    html = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert opened(html) == ["triage"]
    assert closed(html) == ["ask", "duplicate", "transfer", "link"]
    assert html.index('id="triage"') < html.index('id="ask"')


def test_the_assigned_specialist_sees_the_answer_open(client, login, routed, specialist):
    login(specialist)
    html = client.get(f"/tickets/{routed.reference}").get_data(as_text=True)
    assert "Bắt đầu xử lý" in html and opened(html) == ["answer"] and closed(html) == ["ask"]


def test_a_form_sent_back_with_errors_is_open(client, login, routed, specialist):
    login(specialist)
    html = client.post(f"/tickets/{routed.reference}/ask", data={"version": routed.version, "body": ""}
                       ).get_data(as_text=True)
    assert re.search(r'<details class="card action action-more[^"]*" id="ask" open>', html)


def test_the_locality_sees_confirm_and_rate_open_on_an_answer(client, login, routed, specialist, commune_officer,
                                                              db):
    workflow.answer(specialist, routed, version=routed.version, body="Áp dụng Nghị định 150.", outcome="answered")
    db.session.commit()
    login(commune_officer)
    html = client.get(f"/tickets/{routed.reference}").get_data(as_text=True)
    assert opened(html) == ["confirm", "rate"]


def test_the_rating_is_labelled_and_gone_once_given(client, login, routed, specialist, commune_officer, db):
    workflow.answer(specialist, routed, version=routed.version, body="Áp dụng Nghị định 150.", outcome="answered")
    db.session.commit()
    login(commune_officer)
    html = client.get(f"/tickets/{routed.reference}").get_data(as_text=True)
    rate = section(html, 'id="rate"', "</details>")
    for label in ("1 – Rất không hài lòng", "2 – Không hài lòng", "3 – Bình thường", "4 – Hài lòng",
                  "5 – Rất hài lòng"):
        assert label in rate
    assert len(re.findall(r'<input[^>]*name="score"[^>]*type="radio"', rate)) == 5 and "<legend" in rate
    response = client.post(f"/tickets/{routed.reference}/rate", data={"version": routed.version, "score": "4"})
    assert response.status_code == 302
    html = client.get(f"/tickets/{routed.reference}").get_data(as_text=True)
    assert 'id="rate"' not in html and '<dd class="rating-given">4/5' in html
    db.session.refresh(routed)
    again = client.post(f"/tickets/{routed.reference}/rate", data={"version": routed.version, "score": "1"})
    assert again.status_code == 422
    db.session.refresh(routed)
    assert routed.rating == 4


def test_filing_on_behalf_takes_the_dispatch_scan(client, login, triage_user, hoan_kiem, db):
    login(triage_user)
    assert 'enctype="multipart/form-data"' in client.get("/triage/new").get_data(as_text=True)
    response = client.post("/triage/new", data={
        "locality": "00070", "channel": "dispatch", "incoming_doc_number": "125/UBND-NV",
        "incoming_doc_date": "12/06/2025", "category": "bien_che", "title": "Công văn về biên chế",
        "description": "Theo công văn của phường.", "urgency": "normal",
        "attachments": [(io.BytesIO(PDF), "Công văn 125.pdf")]}, content_type="multipart/form-data")
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    scan = db.session.scalar(select(Attachment))
    assert (scan.ticket_id, scan.message_id, scan.original_name) == (ticket.id, None, "Công văn 125.pdf")
    assert "Công văn 125.pdf" in client.get(response.location).get_data(as_text=True)


def test_a_bad_scan_files_nothing(client, login, triage_user, hoan_kiem, db):
    login(triage_user)
    response = client.post("/triage/new", data={
        "locality": "00070", "channel": "hotline", "category": "bien_che", "title": "Qua đường dây nóng",
        "description": "Nội dung.", "urgency": "normal",
        "attachments": [(io.BytesIO(b"MZ\x90\x00 not a document"), "scan.pdf")]}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert db.session.scalar(select(Ticket)) is None


def test_the_locality_picker_shows_the_chosen_name_when_the_form_comes_back(client, login, triage_user, hoan_kiem):
    login(triage_user)
    html = client.post("/triage/new", data={"locality": "00070", "channel": "fax"}).get_data(as_text=True)
    assert '<option selected value="00070">Phường Hoàn Kiếm</option>' in html


def test_no_date_field_is_the_browsers_date_input(client, login, make_user, make_ticket, commune_officer):
    from tracker.enums import Role

    ticket = make_ticket(commune_officer)
    login(make_user(Role.ADMIN))
    for url in ("/triage/new", f"/tickets/{ticket.reference}", "/tickets?filed_from=1/2/2026", "/admin/sla"):
        html = client.get(url).get_data(as_text=True)
        assert 'type="date"' not in html and 'placeholder="dd/mm/yyyy"' in html, url


def test_a_date_comes_back_as_dd_mm_yyyy(client, login, routed, specialist):
    login(specialist)
    html = client.post(f"/tickets/{routed.reference}/answer", data={
        "version": routed.version, "body": "", "outcome": "answered", "reply_doc_date": "2025-06-12"}
    ).get_data(as_text=True)
    assert 'value="12/06/2025"' in html


def test_the_filing_form_marks_required_fields_and_explains_each_one(client, login, province_coordinator):
    login(province_coordinator)
    html = client.get("/tickets/new").get_data(as_text=True)
    for name in ("locality", "category", "title", "description", "legal_basis", "urgency", "attachments"):
        help_id = f"{name}-help"
        assert f'id="{help_id}"' in html and f'aria-describedby="{help_id}"' in html, name
    assert html.count('<span class="required-mark" aria-hidden="true"> *</span>') == 4  # category, title ...
    assert "Ví dụ: Nghị định 150/2025/NĐ-CP, Điều 5." in html


def test_no_emoji_in_the_pages_and_a_favicon_is_served(client):
    emoji = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
    for template in [*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")]:
        assert not emoji.search(template.read_text(encoding="utf-8")), template
    assert client.get("/favicon.ico").location == "/static/favicon.svg"
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/login").get_data(as_text=True)
