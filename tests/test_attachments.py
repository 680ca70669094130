"""Attachments: checked by content, size-limited, stored under generated names, downloaded only by who may see."""
import io
import os
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from tracker import attachments
from tracker.enums import Role
from tracker.models import Attachment, Ticket

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def zipped(entries: dict[str, bytes]) -> bytes:
    """The same bytes whenever they are built (a fixed date): they name parametrized tests, which pytest-xdist's
    workers must collect identically even when their collections straddle a second."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
ODS = zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"})


def filing(**files):
    return {"category": "bien_che", "title": "Vướng mắc biên chế", "description": "Đề nghị hướng dẫn.",
            "urgency": "normal", "attachments": [(io.BytesIO(data), name) for name, data in files.items()]}


def stored_files(app) -> list[str]:
    path = Path(app.config["ATTACHMENTS_DIR"])
    return sorted(os.listdir(path)) if path.exists() else []


def count(db):
    return db.session.scalar(select(func.count(Attachment.id)))


@pytest.mark.parametrize("name, data, content_type", [
    ("Công văn.pdf", PDF, "application/pdf"),
    ("ảnh chụp.png", PNG, "image/png"),
    ("ảnh.jpg", JPEG, "image/jpeg"),
    ("Báo cáo.docx", DOCX, attachments.DOCX),
    ("Số liệu.xlsx", XLSX, attachments.XLSX),
    ("Văn bản.odt", ODT, "application/vnd.oasis.opendocument.text"),
    ("Bảng.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
    ("Cũ.doc", OLE2, "application/msword"),
    ("Cũ.xls", OLE2, "application/vnd.ms-excel"),
    ("khong-co-duoi", PDF, "application/pdf"),  # the content decides, not the name
])
def test_allowed_types_are_recognised_by_content(app, name, data, content_type):
    assert attachments.detect_type(io.BytesIO(data), name) == content_type


@pytest.mark.parametrize("name, data", [
    ("cong-van.pdf", b"<!doctype html><html><script>alert(1)</script></html>"),
    ("hinh.pdf", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
    ("bao-cao.docx", b"this is not a zip at all"),
    ("bao-cao.docx", zipped({"word/document.xml": b"<x/>"})),  # a zip, but not OOXML
    ("trinh-chieu.pptx", zipped({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})),
    ("tep.odt", zipped({"mimetype": b"text/html"})),
    ("chuong-trinh.exe", b"MZ\x90\x00" + b"\x00" * 60),
    ("tep.msi", OLE2),  # OLE2 that is neither Word nor Excel
])
def test_files_that_lie_about_their_type_are_refused(app, name, data):
    assert attachments.detect_type(io.BytesIO(data), name) is None


def test_filing_with_attachments_keeps_the_vietnamese_names(client, login, commune_officer, db, app):
    login(commune_officer)
    response = client.post("/tickets/new", data=filing(**{"Công văn số 12 – đề nghị.pdf": PDF, "Số liệu.xlsx": XLSX}),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [r.original_name for r in rows] == ["Công văn số 12 – đề nghị.pdf", "Số liệu.xlsx"]
    assert all(r.message_id is None and len(r.stored_name) == 32 for r in rows)
    assert sorted(r.stored_name for r in rows) == stored_files(app)
    ticket = db.session.scalar(select(Ticket))
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Công văn số 12 – đề nghị.pdf" in page


@pytest.mark.parametrize("files, message", [
    ({"cong-van.pdf": b"<html><body>gia mao</body></html>"}, "không phải là tệp PDF, Word"),
    ({"hinh.pdf": b"<svg xmlns='http://www.w3.org/2000/svg'/>"}, "không phải là tệp PDF, Word"),
    ({"bao-cao.docx": b"not a zip"}, "không phải là tệp PDF, Word"),
    ({"rong.pdf": b""}, "Tệp rong.pdf không có nội dung"),
])
def test_bad_files_refuse_the_whole_filing(client, login, commune_officer, db, app, files, message):
    login(commune_officer)
    data = filing(**{"tot.pdf": PDF, **files})
    response = client.post("/tickets/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Ticket.id))) == 0 and count(db) == 0
    assert stored_files(app) == []


def test_a_21_mb_file_is_refused(client, login, commune_officer, db, app):
    login(commune_officer)
    big = PDF + b"\x00" * (21 * 1024 * 1024)
    response = client.post("/tickets/new", data=filing(**{"lon.pdf": big}), content_type="multipart/form-data")
    assert "Tệp lon.pdf lớn hơn 20 MB" in response.get_data(as_text=True)
    assert count(db) == 0 and stored_files(app) == []


def test_more_files_than_allowed_are_refused(client, login, commune_officer, db, app):
    login(commune_officer)
    many = {f"tep-{i}.pdf": PDF for i in range(app.config["ATTACHMENT_MAX_FILES"] + 1)}
    response = client.post("/tickets/new", data=filing(**many), content_type="multipart/form-data")
    assert "Mỗi lần gửi tối đa 10 tệp" in response.get_data(as_text=True)
    assert count(db) == 0


def test_limits_are_configurable(app, db):
    app.config["ATTACHMENT_MAX_BYTES"] = 10
    try:
        with app.test_request_context(), pytest.raises(Exception, match=r"lớn hơn|larger"):
            attachments.check_files([FileStorage(io.BytesIO(PDF), "a.pdf")])
    finally:
        app.config["ATTACHMENT_MAX_BYTES"] = 20 * 1024 * 1024


def test_download_sends_the_original_name_as_an_attachment_never_inline(client, login, commune_officer, db):
    login(commune_officer)
    name = "Công văn số 12 – đề nghị.pdf"
    client.post("/tickets/new", data=filing(**{name: PDF}), content_type="multipart/form-data")
    ticket, row = db.session.scalar(select(Ticket)), db.session.scalar(select(Attachment))
    response = client.get(f"/tickets/{ticket.reference}/attachments/{row.id}")
    assert response.status_code == 200 and response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name)}" in disposition
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_only_who_may_see_the_ticket_downloads(client, login, commune_officer, make_user, ba_dinh, db, specialist,
                                               province_coordinator):
    login(commune_officer)
    client.post("/tickets/new", data=filing(**{"a.pdf": PDF}), content_type="multipart/form-data")
    ticket, row = db.session.scalar(select(Ticket)), db.session.scalar(select(Attachment))
    url = f"/tickets/{ticket.reference}/attachments/{row.id}"
    for user, status in ((make_user(Role.COMMUNE, ba_dinh), 404), (province_coordinator, 200), (specialist, 200)):
        login(user)
        assert client.get(url).status_code == status, user.role
    login(commune_officer)
    assert client.get(f"/tickets/{ticket.reference}/attachments/{row.id + 1}").status_code == 404


def test_attachment_ids_are_checked_against_the_ticket_in_the_url(client, login, commune_officer, make_ticket, db):
    login(commune_officer)
    client.post("/tickets/new", data=filing(**{"a.pdf": PDF}), content_type="multipart/form-data")
    row = db.session.scalar(select(Attachment))
    other = make_ticket(commune_officer)
    assert client.get(f"/tickets/{other.reference}/attachments/{row.id}").status_code == 404


def test_files_on_internal_notes_are_the_teams_only(client, login, commune_officer, make_ticket, triage_user, db):
    ticket = make_ticket(commune_officer)
    login(triage_user)
    response = client.post(f"/tickets/{ticket.reference}/messages", content_type="multipart/form-data",
                           data={"body": "Ghi chú", "internal": "y", "attachments": [(io.BytesIO(PDF), "noi-bo.pdf")]})
    assert response.status_code == 302
    row = db.session.scalar(select(Attachment))
    assert row.message_id is not None
    url = f"/tickets/{ticket.reference}/attachments/{row.id}"
    assert client.get(url).status_code == 200
    login(commune_officer)
    assert client.get(url).status_code == 404
    assert "noi-bo.pdf" not in client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)


def test_reply_with_attachment_shows_under_the_message(client, login, commune_officer, make_ticket, db):
    ticket = make_ticket(commune_officer)
    login(commune_officer)
    client.post(f"/tickets/{ticket.reference}/messages", content_type="multipart/form-data",
                data={"body": "Gửi bổ sung", "attachments": [(io.BytesIO(DOCX), "Quyết định giao biên chế.docx")]})
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Quyết định giao biên chế.docx" in page


def test_a_rolled_back_change_leaves_no_file_behind(app, db, commune_officer, make_ticket):
    ticket = make_ticket(commune_officer)
    uploads = attachments.check_files([FileStorage(io.BytesIO(PDF), "a.pdf")])
    attachments.store(uploads, ticket=ticket, user=commune_officer)
    assert len(stored_files(app)) == 1
    db.session.rollback()
    assert stored_files(app) == []


def test_names_lose_paths_and_control_characters():
    assert attachments.clean_name("C:\\Users\\cb\\Đơn đề nghị.pdf") == "Đơn đề nghị.pdf"
    assert attachments.clean_name("../../etc/passwd") == "passwd"
    assert attachments.clean_name("a\r\nb.pdf") == "ab.pdf"
    assert attachments.clean_name("") == "tep-dinh-kem"


@pytest.fixture(autouse=True)
def _empty_attachments_dir(app):
    path = Path(app.config["ATTACHMENTS_DIR"])
    for name in stored_files(app):
        (path / name).unlink()
    yield
