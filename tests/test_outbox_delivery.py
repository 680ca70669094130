"""The outbox: validated at enqueue, delivered over real SMTP once, retried with backoff, never lost."""
import datetime as dt
import threading

from sqlalchemy import select

from tracker.extensions import db as _db
from tracker.mail import delivery
from tracker.mail.outbox import enqueue
from tracker.models import OutboxMessage, utcnow


def _enqueue(db, n, prefix="test"):
    for i in range(n):
        enqueue(f"{prefix}:{i}", f"nguoi{i}@example.gov.vn", f"Thông báo số {i}", f"Nội dung {i}",
                f"<p>Nội dung {i}</p>")
    db.session.commit()


def _rows(db):
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_delivery_sends_multipart_utf8_and_marks_sent(db, smtp_server):
    enqueue("hello", "can.bo@example.gov.vn", "Báo cáo tuần: Phường Hoàn Kiếm", "Xin chào", "<p>Xin chào</p>")
    db.session.commit()
    report = delivery.deliver_due()
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [message] = smtp_server.messages
    assert message["Subject"] == "Báo cáo tuần: Phường Hoàn Kiếm"
    assert message["To"] == "can.bo@example.gov.vn"
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content().strip() == "Xin chào"
    assert "<p>Xin chào</p>" in message.get_body(("html",)).get_content()
    [row] = _rows(db)
    assert (row.status, row.attempts, row.claimed_by) == ("sent", 1, None) and row.sent_at is not None


def test_subject_with_line_breaks_cannot_inject_headers(db, smtp_server):
    enqueue("inject", "a@example.gov.vn", "Chào\r\nBcc: victim@example.com", "x")
    db.session.commit()
    delivery.deliver_due()
    [message] = smtp_server.messages
    assert message["Bcc"] is None and message["Subject"] == "Chào Bcc: victim@example.com"
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["a@example.gov.vn"]]


def test_invalid_or_missing_recipient_is_not_enqueued(db):
    for address in ("", None, "khong-phai-email", "a@example.gov.vn\r\nBcc: x@example.com"):
        assert enqueue(f"bad:{address!r}", address, "Tiêu đề", "x") is None
    db.session.commit()
    assert _rows(db) == []


def test_same_key_is_enqueued_once(db):
    assert enqueue("once", "a@example.gov.vn", "s", "x") is not None
    assert enqueue("once", "a@example.gov.vn", "s", "x") is None
    db.session.commit()
    assert enqueue("once", "a@example.gov.vn", "s", "x") is None
    assert len(_rows(db)) == 1


def test_outage_keeps_messages_and_backs_off_then_now_delivers_each_once(db, smtp_server):
    _enqueue(db, 3)
    smtp_server.stop()
    report = delivery.deliver_due()
    assert (report.sent, report.retrying) == (0, 3) and "unreachable" in report.errors[0]
    rows = _rows(db)
    assert {(r.status, r.attempts) for r in rows} == {("pending", 1)}
    assert all(r.last_error and r.next_attempt_at > utcnow() for r in rows)
    assert delivery.deliver_due().attempted == 0  # the backoff is respected
    smtp_server.start()
    assert delivery.deliver_due(force=True).sent == 3
    assert delivery.deliver_due(force=True).attempted == 0
    assert sorted(smtp_server.keys()) == ["test:0", "test:1", "test:2"]
    assert {r.status for r in _rows(db)} == {"sent"}


def test_backoff_doubles_and_gives_up_after_max_attempts(db, smtp_server):
    assert [delivery.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    _enqueue(db, 1)
    smtp_server.stop()
    moment = utcnow()
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        moment += dt.timedelta(hours=5)
        assert delivery.deliver_due(moment).attempted == 1  # one try per run, however far `now` is
        assert _rows(db)[0].attempts == attempt
    [row] = _rows(db)
    assert (row.status, row.attempts) == ("failed", delivery.MAX_ATTEMPTS)
    assert delivery.deliver_due(moment + dt.timedelta(days=1)).attempted == 0  # failed waits for a person


def test_send_now_during_an_outage_tries_each_message_once(db, smtp_server):
    _enqueue(db, 2)
    smtp_server.stop()
    report = delivery.deliver_due(force=True)
    assert (report.attempted, report.sent) == (2, 0)
    assert {r.attempts for r in _rows(db)} == {1}


def test_admin_retry_makes_a_failed_message_due_again(db, smtp_server):
    _enqueue(db, 1)
    [row] = _rows(db)
    row.status, row.attempts = "failed", delivery.MAX_ATTEMPTS
    db.session.commit()
    assert delivery.retry_message(row) is True
    db.session.commit()
    assert delivery.deliver_due().sent == 1
    assert smtp_server.keys() == ["test:0"]


def test_a_crashed_senders_claim_expires_and_the_row_is_sent(db, smtp_server):
    _enqueue(db, 1)
    claimed = delivery.claim(utcnow())
    assert len(claimed) == 1 and delivery.claim(utcnow()) == []  # claimed rows are not taken twice
    later = utcnow() + delivery.CLAIM_TTL + dt.timedelta(seconds=1)
    assert delivery.deliver_due(later).sent == 1
    assert smtp_server.keys() == ["test:0"]


def test_rejected_recipient_fails_alone(db, smtp_server):
    _enqueue(db, 2)
    original = smtp_server.handle_DATA

    async def refuse_first(server, session, envelope):
        if envelope.rcpt_tos == ["nguoi0@example.gov.vn"]:
            return "550 No such user"
        return await original(server, session, envelope)

    smtp_server.handle_DATA = refuse_first
    report = delivery.deliver_due()
    assert (report.sent, report.retrying) == (1, 1)
    first, second = _rows(db)
    assert first.status == "pending" and "550" in first.last_error and second.status == "sent"


def test_two_concurrent_senders_never_send_a_message_twice(app, db, smtp_server, monkeypatch):
    monkeypatch.setattr(delivery, "BATCH_SIZE", 4)  # many small claims, so the two senders interleave
    _enqueue(db, 60)
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def sender():
        with app.app_context():
            try:
                barrier.wait()
                reports.append(delivery.deliver_due(limit=None))
            except Exception as error:
                errors.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    keys = smtp_server.keys()
    assert len(keys) == 60 and len(set(keys)) == 60
    assert sum(r.sent for r in reports) == 60
    assert {r.status for r in _rows(db)} == {"sent"}


def test_vietnamese_sender_name_is_encoded_and_stays_on_one_line(app, db, smtp_server):
    saved = app.config["MAIL_DEFAULT_SENDER"]
    try:
        for i, sender in enumerate(("Tổ phản ứng nhanh <no-reply@example.gov.vn>",
                                    "Tổ phản ứng nhanh\r\nBcc: x@example.com")):
            app.config["MAIL_DEFAULT_SENDER"] = sender
            enqueue(f"sender:{i}", "a@example.gov.vn", "Tiêu đề", "x")
            db.session.commit()
            assert delivery.deliver_due().sent == 1
    finally:
        app.config["MAIL_DEFAULT_SENDER"] = saved
    first, second = smtp_server.messages
    assert first["From"].addresses[0].display_name == "Tổ phản ứng nhanh"
    assert first["From"].addresses[0].addr_spec == "no-reply@example.gov.vn"
    assert b"=?utf-8?" in smtp_server.envelopes[0].original_content.split(b"\r\n\r\n")[0]
    assert second["Bcc"] is None
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["a@example.gov.vn"]] * 2


def test_scheduled_delivery_survives_an_unreachable_server(app, db, smtp_server):
    from tracker.jobs import job_list, run_locked

    jobs = {job.name: job for job in job_list()}
    assert jobs["outbox_delivery"].trigger_args == {"minutes": 1}
    assert jobs["weekly_digest"].trigger_args == {"day_of_week": "mon", "hour": 7, "minute": 30}
    _enqueue(db, 1)
    smtp_server.stop()
    run_locked(app, jobs["outbox_delivery"])  # logs, never raises
    [row] = _rows(db)
    assert (row.status, row.attempts) == ("pending", 1) and "unreachable" in row.last_error


def test_outbox_send_reports_an_unreachable_server_without_a_traceback(app, db, smtp_server):
    _enqueue(db, 2)
    smtp_server.stop()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "0 sent, 2 to retry later" in result.output and "Nothing is lost" in result.output
