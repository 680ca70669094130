"""Email a newcomer can see: make run catches mail when no MAIL_SERVER is configured, links point where it
serves; a configured MAIL_SERVER is used as it is."""
import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from config import Config, ConfigError
from tracker import devserver
from tracker.mail import delivery
from tracker.mail.catcher import start_catcher
from tracker.mail.outbox import enqueue

SUBJECT = "[PUN-2026-000123] Kiến nghị của Phường Hoàn Kiếm về biên chế công chức cấp xã đã được trả lời"


@pytest.fixture
def catcher(tmp_path):
    said = []
    controller = start_catcher(tmp_path / "mail", port=0, announce=said.append)
    yield controller, tmp_path / "mail", said
    controller.stop()


def test_the_catcher_keeps_each_message_as_an_eml_file(catcher):
    controller, folder, said = catcher
    message = EmailMessage(policy=delivery.MAIL_POLICY)
    message["Subject"], message["From"], message["To"] = SUBJECT, "no-reply@localhost", "can.bo@example.gov.vn"
    message.set_content("Nội dung")
    with smtplib.SMTP(controller.hostname, controller.port, timeout=10) as smtp:
        smtp.send_message(message)
    [path] = folder.glob("*.eml")
    assert message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"] == SUBJECT
    assert said == [f"mail caught for can.bo@example.gov.vn: {SUBJECT} -> {path}"]


def test_the_outbox_delivers_into_the_catcher(app, db, catcher, monkeypatch):
    controller, folder, _ = catcher
    monkeypatch.setitem(app.config, "MAIL_SERVER", controller.hostname)
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    enqueue("hello", "can.bo@example.gov.vn", SUBJECT, "Xin chào", "<p>Xin chào</p>")
    db.session.commit()
    assert delivery.deliver_due().sent == 1
    [path] = folder.glob("*.eml")
    assert "Xin chào" in message_from_bytes(path.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()


class _Spawned:
    def __init__(self):
        self.envs = []

    def popen(self, args, env=None, **_):
        self.envs.append(env)
        return type("Process", (), {"terminate": lambda self: None, "wait": lambda self, timeout=None: 0})()

    def run(self, args, env=None, **_):
        self.envs.append(env)


def _run_devserver(monkeypatch, tmp_path, argv):
    spawned = _Spawned()
    monkeypatch.setattr(devserver.subprocess, "Popen", spawned.popen)
    monkeypatch.setattr(devserver.subprocess, "run", spawned.run)
    monkeypatch.setattr(devserver, "MAIL_DIR", tmp_path / "mail")
    monkeypatch.setattr(devserver.signal, "signal", lambda *_: None)  # leave the test process's handlers alone
    monkeypatch.setattr("sys.argv", ["devserver", *argv])
    devserver.main()
    return spawned.envs


def test_make_run_without_a_mail_server_starts_the_catcher_and_links_to_where_it_serves(monkeypatch, tmp_path,
                                                                                       capsys):
    for name in ("MAIL_SERVER", "BASE_URL", "MAIL_PORT"):
        monkeypatch.delenv(name, raising=False)
    scheduler_env, server_env = _run_devserver(monkeypatch, tmp_path, ["--host", "0.0.0.0", "--port", "8123"])
    assert scheduler_env == server_env
    assert server_env["MAIL_SERVER"] == "127.0.0.1" and int(server_env["MAIL_PORT"]) > 0
    assert server_env["BASE_URL"] == "http://127.0.0.1:8123"
    assert str(tmp_path / "mail") in capsys.readouterr().out


def test_a_configured_mail_server_is_used_as_it_is(monkeypatch, tmp_path):
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.gov.vn")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("BASE_URL", "https://tracker.example.gov.vn")
    _, server_env = _run_devserver(monkeypatch, tmp_path, ["--port", "8123"])
    assert (server_env["MAIL_SERVER"], server_env["MAIL_PORT"]) == ("smtp.example.gov.vn", "587")
    assert server_env["BASE_URL"] == "https://tracker.example.gov.vn"
    assert not (tmp_path / "mail").exists()


def test_base_url_follows_host_and_port_unless_set(monkeypatch):
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("HOST", "192.168.1.20")
    monkeypatch.setenv("PORT", "8080")
    assert Config().BASE_URL == "http://192.168.1.20:8080"
    monkeypatch.setenv("HOST", "0.0.0.0")
    assert Config().BASE_URL == "http://127.0.0.1:8080"
    monkeypatch.setenv("BASE_URL", "https://tracker.example.gov.vn/")
    assert Config().BASE_URL == "https://tracker.example.gov.vn"


@pytest.mark.parametrize(("name", "value"), [("ALERT_DAILY_AT", "7h"), ("ALERT_DAILY_AT", "25:00"),
                                             ("ALERT_WINDOW_MINUTES", "0"), ("ALERT_WINDOW_MINUTES", "often")])
def test_alert_settings_are_checked_at_start_up(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        Config()


def test_alert_settings_have_working_defaults(monkeypatch):
    monkeypatch.delenv("ALERT_DAILY_AT", raising=False)
    monkeypatch.setenv("ALERT_WINDOW_MINUTES", "15")
    config = Config()
    assert (config.ALERT_DAILY_AT, config.ALERT_WINDOW_MINUTES) == ("07:00", 15)
