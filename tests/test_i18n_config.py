"""Vietnamese first: every string has its translation; configuration fails clearly on bad values."""
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from config import Config, ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_every_ui_string_has_a_vietnamese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."], cwd=ROOT, check=True,
                   capture_output=True)
    with open(pot, "rb") as fh:
        source_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with open(ROOT / "tracker/translations/vi/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(fh) if m.id}
    missing = sorted(i for i in source_ids if i not in catalog or not catalog[i].string or catalog[i].fuzzy)
    assert missing == [], "run `make babel-extract` and translate: " + "; ".join(missing[:20])


def test_dates_are_dd_mm_yyyy_in_local_time(app):
    from tracker.i18n import format_date_vn, format_datetime_vn

    moment = dt.datetime(2026, 1, 31, 18, 30, tzinfo=dt.UTC)  # 01:30 on 1 February in Hà Nội
    with app.test_request_context():
        assert format_date_vn(moment) == "01/02/2026"
        assert format_datetime_vn(moment) == "01/02/2026 01:30"


def test_bad_timezone_is_a_clear_startup_error(monkeypatch):
    monkeypatch.setenv("TIMEZONE", "Asia/Hanoi_City")
    with pytest.raises(ConfigError, match="TIMEZONE is not a known time zone"):
        Config()


def test_non_numeric_port_is_a_clear_startup_error(monkeypatch):
    monkeypatch.setenv("MAIL_PORT", "twenty-five")
    with pytest.raises(ConfigError, match="MAIL_PORT must be a whole number"):
        Config()


def test_postgres_urls_use_psycopg3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert Config().SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@h/db"


def test_missing_secret_key_refuses_to_start(monkeypatch):
    from tracker import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = Config()
    config.SECRET_KEY = None
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(config)


def test_translations_held_for_a_request_follow_its_language_and_forced_locales(app):
    """The translations are found once per request (i18n.RequestDomain), yet an email written in its reader's
    language inside the request, and a language changed mid-request, still get their own."""
    from flask import render_template_string, session
    from flask_babel import force_locale, gettext, refresh

    template = "{{ _('Status') }}"
    with app.test_request_context():
        session["lang"] = "vi"
        assert gettext("Status") == render_template_string(template) == "Trạng thái"
        with force_locale("en"):
            assert gettext("Status") == render_template_string(template) == "Status"
        assert gettext("Status") == "Trạng thái"
        session["lang"] = "en"
        refresh()
        assert gettext("Status") == render_template_string(template) == "Status"
