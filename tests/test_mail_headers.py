"""Email headers as a mail client reads them: long Vietnamese subjects intact, one Message-ID per message."""
import email.header
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from tracker.mail import delivery
from tracker.mail.outbox import enqueue
from tracker.models import OutboxMessage

LONG_SUBJECTS = [
    "[PUN-2026-000123] Kiến nghị của Phường Hoàn Kiếm về biên chế công chức cấp xã sau sắp xếp đã được trả lời",
    "Báo cáo tuần 2026-W48 (23/11/2026 – 29/11/2026): Vụ Tổ chức – Biên chế, Cục Tiền lương và Bảo hiểm xã hội",
    "Thông báo 12/06/2025: 1.659 kiến nghị quá hạn, 37 kiến nghị sắp đến hạn, 5 kiến nghị mới giao cho đồng chí",
    "Đề nghị hướng dẫn thực hiện Nghị định 178/2024/NĐ-CP và Nghị định 67/2025/NĐ-CP đối với cán bộ không chuyên "
    "trách ở thôn, tổ dân phố đã được trả lời",
    "Quá hạn Sắp đến hạn Quá hạn Sắp đến hạn Quá hạn Sắp đến hạn Quá hạn Sắp đến hạn Quá hạn Sắp đến hạn Quá hạn",
    "A plain ASCII subject that is long enough to be folded over two lines by any mail generator, surely it is",
]


def _raw_subject(envelope) -> str:
    head = envelope.original_content.split(b"\r\n\r\n")[0].decode("ascii")
    lines = head.split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Subject:"))
    end = start + 1
    while end < len(lines) and lines[end][:1] in (" ", "\t"):
        end += 1
    return "\r\n".join(lines[start:end]).removeprefix("Subject: ")


def test_long_vietnamese_subjects_arrive_exactly_as_written(db, smtp_server):
    for i, subject in enumerate(LONG_SUBJECTS):
        enqueue(f"subject:{i}", "can.bo@example.gov.vn", subject, "Nội dung")
    db.session.commit()
    assert delivery.deliver_due().sent == len(LONG_SUBJECTS)
    by_key = {m["X-Outbox-Key"]: m for m in smtp_server.messages}
    raws = {message_from_bytes(e.original_content)["X-Outbox-Key"]: e for e in smtp_server.envelopes}
    for i, subject in enumerate(LONG_SUBJECTS):
        key = f"subject:{i}"
        assert by_key[key]["Subject"] == subject  # a modern parser (email.policy.default)
        raw = _raw_subject(raws[key])
        # ... and a classic client: unfold, then decode the RFC 2047 words as RFC 2047 says.
        unfolded = raw.replace("\r\n", "")
        assert str(email.header.make_header(email.header.decode_header(unfolded))) == subject
        assert all(len(line) <= 78 for line in raws[key].original_content.split(b"\r\n\r\n")[0].split(b"\r\n"))


def test_the_subject_policy_folds_what_pythons_own_folder_breaks():
    """The case of the issue: Python's folder alone loses the space in "được trả" for some lengths."""
    from email.message import EmailMessage

    subject = "Báo sau về hạn nghị Báo Quá Biên Kiến hạn được sắp – về Thành nghị nghị nghị Vụ Kiến Báo sau Quá"
    plain = EmailMessage()
    plain["Subject"] = subject
    assert message_from_bytes(plain.as_bytes(policy=policy.SMTP), policy=policy.default)["Subject"] != subject
    ours = EmailMessage(policy=delivery.MAIL_POLICY)
    ours["Subject"] = subject
    assert message_from_bytes(ours.as_bytes(), policy=policy.default)["Subject"] == subject


@pytest.fixture
def refuse_once(smtp_server):
    """The server answers the first DATA with a temporary failure (it has read the message: it is kept)."""
    seen, original = [], smtp_server.handle_DATA

    async def handle(server, session, envelope):
        seen.append(envelope.original_content)
        if len(seen) == 1:
            return "451 Try again later"
        return await original(server, session, envelope)

    smtp_server.handle_DATA = handle
    return seen


def test_a_message_keeps_its_message_id_on_every_attempt(db, smtp_server, refuse_once):
    enqueue("resend", "can.bo@example.gov.vn", "Thông báo", "Nội dung")
    db.session.commit()
    assert delivery.deliver_due().retrying == 1
    assert delivery.deliver_due(force=True).sent == 1
    first, second = (message_from_bytes(raw, policy=policy.default) for raw in refuse_once)
    assert first["Message-ID"] == second["Message-ID"]
    stored = db.session.scalar(select(OutboxMessage.message_id))
    assert stored == first["Message-ID"] and stored.endswith("@localhost>")


def test_each_message_has_its_own_message_id(db, smtp_server):
    for i in range(3):
        enqueue(f"own:{i}", "can.bo@example.gov.vn", "Thông báo", "Nội dung")
    db.session.commit()
    delivery.deliver_due()
    assert len({m["Message-ID"] for m in smtp_server.messages}) == 3


def test_a_row_enqueued_before_stored_ids_still_gets_a_stable_one(db, app):
    message = enqueue("old", "can.bo@example.gov.vn", "Thông báo", "Nội dung")
    message.message_id = None
    db.session.commit()
    with app.test_request_context():
        ids = {delivery.build_email(message)["Message-ID"] for _ in range(2)}
    assert len(ids) == 1 and ids.pop().startswith(f"<outbox-{message.id}.")
