"""Files: a failed write leaves no partial file, attachments are the server account's alone, and the same
filing form sent twice (a double click, a resend) files one obstacle."""
import errno
import io
import os
import re
import shutil
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker import attachments, submissions
from tracker.models import Attachment, Ticket

PDF = b"%PDF-1.7\n" + b"x" * 100_000 + b"\n%%EOF\n"
FILING = {"category": "bien_che", "title": "Vướng mắc biên chế", "description": "Đề nghị hướng dẫn.",
          "urgency": "normal"}


@pytest.fixture(autouse=True)
def _empty_attachments_dir(app):
    path = Path(app.config["ATTACHMENTS_DIR"])
    shutil.rmtree(path, ignore_errors=True)
    yield
    shutil.rmtree(path, ignore_errors=True)


def files_in(app) -> list[str]:
    path = Path(app.config["ATTACHMENTS_DIR"])
    return sorted(os.listdir(path)) if path.exists() else []


def with_file(**fields):
    return {**FILING, "attachments": [(io.BytesIO(PDF), "Công văn.pdf")], **fields}


def tickets(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Ticket.id)))


def test_attachments_are_written_for_the_server_account_only(client, login, commune_officer, app):
    login(commune_officer)
    assert client.post("/tickets/new", data=with_file(), content_type="multipart/form-data").status_code == 302
    directory = Path(app.config["ATTACHMENTS_DIR"])
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    [name] = files_in(app)
    assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600
    assert (directory / name).read_bytes() == PDF


def test_a_disk_full_while_writing_leaves_no_partial_file_and_files_nothing(client, login, commune_officer, app,
                                                                             db, monkeypatch):
    def half_then_disk_full(source, target, *args):
        target.write(source.read(1000))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(attachments.shutil, "copyfileobj", half_then_disk_full)
    login(commune_officer)
    response = client.post("/tickets/new", data=with_file(), content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Không lưu được tệp Công văn.pdf" in response.get_data(as_text=True)
    assert files_in(app) == [] and tickets(db) == 0


def test_a_write_that_fails_after_an_earlier_file_removes_both(client, login, commune_officer, app, db,
                                                               monkeypatch):
    real_copy = shutil.copyfileobj
    calls = []

    def second_fails(source, target, *args):
        calls.append(1)
        if len(calls) == 2:
            raise PermissionError(errno.EACCES, "Permission denied")
        real_copy(source, target, *args)

    monkeypatch.setattr(attachments.shutil, "copyfileobj", second_fails)
    login(commune_officer)
    data = {**FILING, "attachments": [(io.BytesIO(PDF), "a.pdf"), (io.BytesIO(PDF), "b.pdf")]}
    assert client.post("/tickets/new", data=data, content_type="multipart/form-data").status_code == 422
    assert files_in(app) == [] and tickets(db) == 0


def test_a_file_appears_under_its_name_only_once_complete(app, db, commune_officer, make_ticket, monkeypatch):
    """Written under a temporary name, synced, then renamed: a reader never sees half a file."""
    ticket = make_ticket(commune_officer)
    seen = []
    real_fsync = os.fsync

    def fsync_and_look(fd):
        seen.append(files_in(app))
        real_fsync(fd)

    monkeypatch.setattr(attachments.os, "fsync", fsync_and_look)
    rows = attachments.store(attachments.check_files([_upload()]), ticket=ticket, user=commune_officer)
    db.session.commit()
    assert seen and all(name.startswith(".") for name in seen[0])  # only the temporary file while writing
    assert files_in(app) == [rows[0].stored_name]


def _upload():
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(PDF), "a.pdf")


def form_token(page: str) -> str:
    return re.search(r'name="submission" type="hidden" value="([0-9a-f]{32})"', page).group(1)


def test_the_same_form_sent_twice_files_one_obstacle(client, login, commune_officer, app, db):
    login(commune_officer)
    token = form_token(client.get("/tickets/new").get_data(as_text=True))
    first = client.post("/tickets/new", data=with_file(submission=token), content_type="multipart/form-data")
    again = client.post("/tickets/new", data=with_file(submission=token), content_type="multipart/form-data")
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert tickets(db) == 1 and db.session.scalar(select(func.count(Attachment.id))) == 1
    assert len(files_in(app)) == 1
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "đã được gửi" in page


def test_each_new_form_files_its_own_obstacle(client, login, commune_officer, db):
    login(commune_officer)
    for _ in range(2):
        token = form_token(client.get("/tickets/new").get_data(as_text=True))
        assert client.post("/tickets/new", data={**FILING, "submission": token}).status_code == 302
    assert tickets(db) == 2


def test_a_refused_form_keeps_its_token_and_files_once_corrected(client, login, commune_officer, db):
    login(commune_officer)
    token = form_token(client.get("/tickets/new").get_data(as_text=True))
    refused = client.post("/tickets/new", data={**FILING, "title": "", "submission": token})
    assert refused.status_code == 422 and form_token(refused.get_data(as_text=True)) == token
    assert client.post("/tickets/new", data={**FILING, "submission": token}).status_code == 302
    assert tickets(db) == 1


def test_another_users_token_files_nothing_and_shows_nothing(client, login, commune_officer, province_coordinator,
                                                             db):
    login(commune_officer)
    token = form_token(client.get("/tickets/new").get_data(as_text=True))
    client.post("/tickets/new", data={**FILING, "submission": token}, follow_redirects=True)
    login(province_coordinator)
    response = client.post("/tickets/new", data={**FILING, "locality": "01", "submission": token})
    assert response.status_code == 422 and "PUN-" not in response.get_data(as_text=True)
    assert tickets(db) == 1


def test_filing_on_behalf_sent_twice_files_one_obstacle(client, login, triage_user, hoan_kiem, db):
    login(triage_user)
    token = form_token(client.get("/triage/new").get_data(as_text=True))
    data = {**FILING, "locality": "00070", "channel": "hotline", "submission": token}
    assert [client.post("/triage/new", data=data).status_code for _ in range(2)] == [302, 302]
    assert tickets(db) == 1


@pytest.mark.skipif(os.environ.get("TRACKER_TEST_DB") != "postgresql",
                    reason="two writers at once: SQLite runs one write transaction at a time")
def test_a_double_click_files_one_obstacle_even_when_both_requests_run_at_once(app, login, commune_officer, db,
                                                                               monkeypatch):
    """Both requests reach the claim together; the database's unique key lets one file and the other answer
    with its result."""
    both_claiming = threading.Barrier(2, timeout=10)
    real_claim = submissions.claim

    def claim_together(*args, **kwargs):
        both_claiming.wait()
        return real_claim(*args, **kwargs)

    monkeypatch.setattr("tracker.tickets.submissions.claim", claim_together)
    first = login(commune_officer, test_client=app.test_client())
    token = form_token(first.get("/tickets/new").get_data(as_text=True))
    second = app.test_client()
    second.set_cookie("session", first.get_cookie("session").value)
    answers = []
    clicks = [threading.Thread(target=lambda c=c: answers.append(c.post("/tickets/new", data={
        **FILING, "submission": token}))) for c in (first, second)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join(30)
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert tickets(db) == 1
