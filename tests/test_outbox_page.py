"""The admin's outbox shows each message as sent (subject, recipient, HTML in a sandboxed frame, plain text)
and explains failures in the UI's language, raw detail beside."""
import pytest
from markupsafe import escape

from tracker.enums import Role
from tracker.mail import delivery
from tracker.mail.failures import explain
from tracker.mail.outbox import enqueue


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def message(db):
    sent = enqueue("event:1", "nguoi.nhan@example.gov.vn", "Kiến nghị đã được trả lời",
                   "Nội dung thư bằng chữ", '<p style="color:#333">Nội dung <strong>HTML</strong></p>'
                   '<script>alert(1)</script>')
    db.session.commit()
    return sent


def test_the_message_page_shows_subject_recipient_and_both_bodies(client, login, admin, message):
    login(admin)
    page = client.get(f"/admin/mail/outbox/{message.id}").get_data(as_text=True)
    assert "Kiến nghị đã được trả lời" in page and "nguoi.nhan@example.gov.vn" in page
    assert "Nội dung thư bằng chữ" in page and str(escape(message.message_id)) in page
    assert f'sandbox\n        src="/admin/mail/outbox/{message.id}/html"' in page
    assert f'href="/admin/mail/outbox/{message.id}"' in client.get("/admin/mail/outbox").get_data(as_text=True)


def test_the_html_body_is_served_sandboxed_without_scripts(client, login, admin, message):
    login(admin)
    response = client.get(f"/admin/mail/outbox/{message.id}/html")
    policy = response.headers["Content-Security-Policy"]
    assert "<strong>HTML</strong>" in response.get_data(as_text=True)
    assert "sandbox" in policy and "script-src" not in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy


@pytest.mark.parametrize("path", ["/admin/mail/outbox/{id}", "/admin/mail/outbox/{id}/html"])
def test_only_admins_see_a_message_and_unknown_ids_are_404(client, login, make_user, admin, message, path):
    login(make_user(Role.LEAD))
    assert client.get(path.format(id=message.id)).status_code == 404
    login(admin)
    for missing in (message.id + 1, 99999999999999999999, 0):
        assert client.get(path.format(id=missing)).status_code == 404


def test_a_refused_connection_is_explained_in_vietnamese_with_the_raw_detail(client, login, admin, message,
                                                                             smtp_server, db):
    smtp_server.stop()
    delivery.deliver_due()
    login(admin)
    page = client.get(f"/admin/mail/outbox/{message.id}").get_data(as_text=True)
    assert "Máy chủ thư từ chối kết nối" in page and "MAIL_SERVER" in page
    assert "SMTP server unreachable: ConnectionRefusedError" in page
    listing = client.get("/admin/mail/outbox").get_data(as_text=True)
    assert "Máy chủ thư từ chối kết nối" in listing


def test_a_refused_recipient_is_explained_in_english_to_an_english_admin(client, login, make_user, message,
                                                                          smtp_server):
    async def refuse(server, session, envelope):
        return "550 5.1.1 No such user here"

    smtp_server.handle_DATA = refuse
    delivery.deliver_due()
    login(make_user(Role.ADMIN, locale="en"))
    page = client.get(f"/admin/mail/outbox/{message.id}").get_data(as_text=True)
    assert str(escape("The recipient's address was refused by the mail server.")) in page and "550 5.1.1" in page


@pytest.mark.parametrize(("raw", "words"), [
    ("535 5.7.8 Authentication credentials invalid", "MAIL_USERNAME"),
    ("SMTP server unreachable: SSLError: [SSL: WRONG_VERSION_NUMBER]", "MAIL_USE_TLS"),
    ("SMTP server unreachable: gaierror: [Errno -2] Name or service not known", "MAIL_SERVER"),
    ("SMTP server unreachable: TimeoutError: timed out", "MAIL_TIMEOUT"),
    ("451 4.3.0 Try again later", "try again later"),
    ("552 5.3.4 Message size exceeds fixed limit", "too large"),
    ("message could not be built: ValueError: bad header", "will not help"),
    ("999 something else", "did not accept"),
])
def test_delivery_errors_map_to_explanations(app, raw, words):
    with app.test_request_context(), app.app_context():
        from flask_babel import force_locale

        with force_locale("en"):
            assert words in str(explain(raw))
    assert explain(None) is None and explain("") is None
