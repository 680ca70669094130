"""CSV and XLSX exports of every list: only what the user may see, Vietnamese headers, real dates, formula
injection neutralised, zero rows give the headers alone, and a fixed number of queries."""
import csv
import datetime as dt
import io

import openpyxl
import pytest

from tracker.enums import Outcome, Role, Status
from tracker.exports import neutralise

from .conftest import counting_queries

INJECTION = '=HYPERLINK("http://x","y")'


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # UTF-8 with a BOM: Excel reads it as Unicode
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.get_data())).active


def test_the_csv_has_vietnamese_headers_and_only_what_the_user_may_see(client, login, commune_officer,
                                                                         make_user, ben_thanh, make_ticket):
    make_ticket(commune_officer, title="Của Hoàn Kiếm")
    make_ticket(make_user(Role.COMMUNE, ben_thanh), title="Của Bến Thành")
    login(commune_officer)
    rows = read_csv(client.get("/tickets/export.csv"))
    assert rows[0][:3] == ["Mã kiến nghị", "Trích yếu nội dung", "Địa phương kiến nghị"]
    assert [r[1] for r in rows[1:]] == ["Của Hoàn Kiếm"]
    assert rows[1][2] == "Phường Hoàn Kiếm" and rows[1][6] == "Mới tiếp nhận"


def test_the_export_follows_the_lists_filters_and_order(client, login, triage_user, commune_officer, make_ticket,
                                                        db):
    first = make_ticket(commune_officer, title="Thứ nhất", now=dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC))
    make_ticket(commune_officer, title="Thứ hai", now=dt.datetime(2026, 3, 3, 3, tzinfo=dt.UTC))
    first.status = Status.CLOSED.value
    db.session.commit()
    login(triage_user)
    assert [r[1] for r in read_csv(client.get("/tickets/export.csv?sort=age"))[1:]] == ["Thứ nhất", "Thứ hai"]
    assert [r[1] for r in read_csv(client.get("/tickets/export.csv?status=open"))[1:]] == ["Thứ hai"]
    assert read_csv(client.get("/tickets/export.csv"))[1][9] == "03/03/2026 10:00"  # local time


def test_a_formula_in_a_title_is_neutralised_in_csv_and_xlsx(client, login, triage_user, commune_officer,
                                                             make_ticket):
    make_ticket(commune_officer, title=INJECTION, legal_basis="@SUM(1+1)")
    login(triage_user)
    row = read_csv(client.get("/tickets/export.csv"))[1]
    assert row[1] == "'" + INJECTION and row[16] == "'@SUM(1+1)"
    sheet = read_xlsx(client.get("/tickets/export.xlsx"))
    title = sheet.cell(row=2, column=2)
    assert title.value == "'" + INJECTION and title.data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("start", ["+", "-", "@"])
def test_every_formula_start_is_neutralised(client, login, triage_user, commune_officer, make_ticket, start):
    make_ticket(commune_officer, title=f"{start}1+2 vướng mắc")
    login(triage_user)
    assert read_csv(client.get("/tickets/export.csv"))[1][1].startswith("'" + start)


def test_tabs_and_carriage_returns_first_are_neutralised_too():
    """Filing strips them from titles, but a locality or unit name might carry one."""
    assert [neutralise(v) for v in ("\tx", "\rx", "x=1", "", "Phường 1")] == ["'\tx", "'\rx", "x=1", "", "Phường 1"]


def test_the_xlsx_has_real_dates_and_numbers(client, login, triage_user, commune_officer, make_ticket, db):
    ticket = make_ticket(commune_officer, title="Có ngày", now=dt.datetime(2026, 3, 2, 3, 30, tzinfo=dt.UTC))
    ticket.rating = 4
    db.session.commit()
    login(triage_user)
    sheet = read_xlsx(client.get("/tickets/export.xlsx"))
    headers = [c.value for c in sheet[1]]
    assert headers[9] == "Ngày gửi" and headers[12] == "Hạn xử lý"
    filed = sheet.cell(row=2, column=10)
    assert filed.is_date and filed.value == dt.datetime(2026, 3, 2, 10, 30)  # local time, as a date
    assert sheet.cell(row=2, column=13).is_date
    assert sheet.cell(row=2, column=19).value == 4


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_of_zero_rows_has_the_headers_alone(client, login, triage_user, fmt):
    login(triage_user)
    response = client.get(f"/tickets/export.{fmt}?q=không có gì")
    rows = read_csv(response) if fmt == "csv" else [[c.value for c in r] for r in read_xlsx(response).iter_rows()]
    assert len(rows) == 1 and rows[0][0] == "Mã kiến nghị"


def test_the_download_is_named_in_vietnamese_and_not_cached(client, login, triage_user):
    login(triage_user)
    response = client.get("/tickets/export.xlsx")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''Ki%E1%BA%BFn%20ngh%E1%BB%8B" in disposition
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unknown_format_is_404(client, login, triage_user):
    login(triage_user)
    assert client.get("/tickets/export.pdf").status_code == 404


def test_the_queues_export_their_own_rows(client, login, triage_user, specialist, unit, commune_officer,
                                          make_ticket, db):
    new = make_ticket(commune_officer, title="Chờ phân loại")
    mine = make_ticket(commune_officer, title="Của chuyên viên")
    mine.status, mine.lead_unit, mine.assignee = Status.IN_PROGRESS.value, unit, specialist
    db.session.commit()
    login(triage_user)
    assert [r[1] for r in read_csv(client.get("/triage/export.csv"))[1:]] == [new.title]
    assert [r[1] for r in read_csv(client.get(f"/queue/unit/export.csv?unit={unit.code}"))[1:]] == [mine.title]
    login(specialist)
    assert [r[1] for r in read_csv(client.get("/queue/mine/export.csv"))[1:]] == [mine.title]
    assert [r[1] for r in read_csv(client.get("/queue/unit/export.csv"))[1:]] == [mine.title]


def test_the_policy_and_gaps_lists_export(client, login, triage_user, commune_officer, make_ticket, unit, db):
    law = make_ticket(commune_officer, title="Cần sửa luật", legal_basis="Nghị định 150/2025/NĐ-CP")
    law.status, law.outcome = Status.ANSWERED.value, Outcome.NEEDS_LEGAL_CHANGE.value
    orphan = make_ticket(commune_officer, title="Không ai xử lý")
    orphan.status, orphan.lead_unit = Status.ASSIGNED.value, unit
    db.session.commit()
    login(triage_user)
    policy = read_csv(client.get("/dashboard/policy/export.csv"))
    assert [r[1] for r in policy[1:]] == ["Cần sửa luật"] and policy[1][17] == "Nghị định 150/2025/NĐ-CP"
    assert [r[1] for r in read_csv(client.get("/dashboard/gaps/export.csv"))[1:]] == ["Không ai xử lý"]


def test_who_may_not_see_a_list_may_not_export_it(client, login, commune_officer, province_coordinator):
    login(commune_officer)
    for url in ("/triage/export.csv", "/queue/unit/export.csv", "/queue/mine/export.xlsx",
                "/dashboard/gaps/export.csv", "/dashboard/policy/export.xlsx"):
        assert client.get(url).status_code == 404, url
    client.post("/logout")
    assert client.get("/tickets/export.csv").status_code == 302  # to the login


def test_an_export_reads_a_fixed_number_of_queries(client, login, triage_user, commune_officer, make_ticket):
    login(triage_user)
    make_ticket(commune_officer)
    with counting_queries() as few:
        read_csv(client.get("/tickets/export.csv"))
    for n in range(6):
        make_ticket(commune_officer, title=f"Thêm {n}")
    with counting_queries() as many:
        read_csv(client.get("/tickets/export.csv"))
    assert len(many) == len(few)


def test_the_lists_offer_their_exports(client, login, triage_user):
    login(triage_user)
    assert 'href="/tickets/export.xlsx?status=open"' in client.get("/tickets?status=open").get_data(as_text=True)
    assert 'href="/triage/export.csv"' in client.get("/triage").get_data(as_text=True)
