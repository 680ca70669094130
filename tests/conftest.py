"""Fixtures: a migrated database (SQLite, or a fresh PostgreSQL one), and factories by role and locality."""
from __future__ import annotations

import contextlib
import functools
import itertools
import os
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from config import TestConfig
from tracker import create_app
from tracker.enums import LocalityLevel, Role
from tracker.extensions import db as _db
from tracker.models import Locality, Unit, User
from tracker.reference_data import seed_reference_data

PASSWORD = "correct horse 42"


def _postgres_url() -> tuple[str, callable]:
    """A brand-new database on the server of TEST_DATABASE_URL, dropped after the run."""
    import psycopg

    base = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = f"tracker_test_{uuid.uuid4().hex[:10]}"
    admin_dsn = base.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if os.environ.get("TRACKER_TEST_DB") == "postgresql":
        url, drop = _postgres_url()
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    config = TestConfig(database_url)
    config.ATTACHMENTS_DIR = str(tmp_path_factory.mktemp("attachments"))
    application = create_app(config)
    with application.app_context():
        upgrade()  # the real migrations, from empty, on this database
    return application


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Every test starts from the migrated reference data and nothing else."""
    with app.app_context():
        _truncate_all()
        seed_reference_data(_db.session)
        _db.session.commit()
        yield
        _db.session.rollback()
        _db.session.remove()


def _truncate_all():
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        _db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(text(f"DELETE FROM {table}"))
    _db.session.commit()


@pytest.fixture
def db(app):
    return _db


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own g, user and db session.

    The test's own context (for fixtures and assertions) stays open beside it; read fresh rows with
    db.session.refresh() or expire_all() after a request.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _isolated_clients(app):
    app.test_client_class = IsolatedClient


@pytest.fixture
def client(app):
    return app.test_client()


_counter = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    """One real hash of the test password, computed once: hashing per user would dominate the suite."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD)


@pytest.fixture
def make_locality(db):
    def make(code: str, name: str, parent: Locality | None = None) -> Locality:
        loc = Locality(code=code, name=name, level=(LocalityLevel.COMMUNE if parent else LocalityLevel.PROVINCE).value,
                       division_type="phường" if parent else "thành phố trung ương", parent=parent)
        db.session.add(loc)
        db.session.commit()
        return loc

    return make


@pytest.fixture
def hanoi(make_locality):
    return make_locality("01", "Thành phố Hà Nội")


@pytest.fixture
def hoan_kiem(make_locality, hanoi):
    return make_locality("00070", "Phường Hoàn Kiếm", hanoi)


@pytest.fixture
def ba_dinh(make_locality, hanoi):
    """A sibling commune of Hoàn Kiếm in the same province."""
    return make_locality("00004", "Phường Ba Đình", hanoi)


@pytest.fixture
def hcm(make_locality):
    return make_locality("79", "Thành phố Hồ Chí Minh")


@pytest.fixture
def ben_thanh(make_locality, hcm):
    return make_locality("26740", "Phường Bến Thành", hcm)


@pytest.fixture
def unit(db):
    return db.session.scalar(db.select(Unit).where(Unit.code == "moha_tcbc"))


@pytest.fixture
def make_user(db):
    def make(role: Role | str, locality: Locality | None = None, unit: Unit | None = None,
             email: str | None = None, **fields) -> User:
        role = Role(role)
        user = User(email=email or f"{role.value}{next(_counter)}@example.gov.vn", role=role.value,
                    name=fields.pop("name", f"{role.value.title()} {next(_counter)}"),
                    locality=locality, unit=unit, **fields)
        user.password_hash = _password_hash()
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def commune_officer(make_user, hoan_kiem):
    return make_user(Role.COMMUNE, hoan_kiem, name="Cán bộ Hoàn Kiếm")


@pytest.fixture
def province_coordinator(make_user, hanoi):
    return make_user(Role.PROVINCE, hanoi, name="Điều phối Hà Nội")


@pytest.fixture
def triage_user(make_user):
    return make_user(Role.TRIAGE, name="Phân loại")


@pytest.fixture
def specialist(make_user, unit):
    return make_user(Role.SPECIALIST, unit=unit, name="Chuyên viên TCBC")


@pytest.fixture
def login(client):
    """Log in through the real form."""

    def do(user: User, password: str = PASSWORD, test_client=None):
        c = test_client or client
        c.post("/logout")
        response = c.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c

    return do


@pytest.fixture
def make_ticket(db):
    """File a ticket through the domain function, as the given user."""
    from tracker.models import Category
    from tracker.tickets import file_ticket

    def make(user: User, locality: Locality | None = None, category_code: str = "bien_che", **fields):
        category = db.session.scalar(db.select(Category).where(Category.code == category_code))
        ticket = file_ticket(user, locality=locality or user.locality, category=category,
                             title=fields.pop("title", "Vướng mắc về biên chế"),
                             description=fields.pop("description", "Đề nghị hướng dẫn."), **fields)
        db.session.commit()
        return ticket

    return make


@pytest.fixture
def bearer(db):
    """The Authorization header of a new API token of `user` (read-write unless a scope is given)."""
    from tracker.accounts import issue_token
    from tracker.enums import TokenScope

    def make(user, scope=TokenScope.WRITE):
        token = issue_token(user, scope)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def csrf_client(app):
    """A client of the same app with CSRF protection switched on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield app.test_client()
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def csrf_token_from(page: str) -> str:
    import re

    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def csrf_login(csrf_client):
    """Log in through the real form on the CSRF-protected client, token and all."""

    def do(user: User):
        token = csrf_token_from(csrf_client.get("/login").get_data(as_text=True))
        response = csrf_client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        return csrf_client

    return do


# Browser journeys (moved here from tests/test_browser.py so several modules share them): real Chromium,
# Debian's package driven by Playwright; no browser download.
import shutil  # noqa: E402
import threading  # noqa: E402

from werkzeug.serving import make_server  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


class _SmtpSink:
    """A real SMTP server (aiosmtpd) on a loopback port that keeps what it accepts; stop() = outage."""

    def __init__(self, port: int):
        self.port = port
        self.envelopes = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self):
        from email import message_from_bytes
        from email.policy import default

        return [message_from_bytes(e.original_content or e.content, policy=default) for e in self.envelopes]

    def keys(self):
        return [m["X-Outbox-Key"] for m in self.messages]


@pytest.fixture
def smtp_server(app):
    """Points MAIL_SERVER/MAIL_PORT at a fresh local SMTP server; the app config is restored afterwards."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = _SmtpSink(port)
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USERNAME=None)
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
        app.config.update(saved)


def counting_calls(monkeypatch, owner, name: str) -> list:
    """Every call of owner.name (a class's method or an object's attribute) from now on, each as its arguments,
    the real one still answering."""
    calls: list = []
    real = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


@contextlib.contextmanager
def counting_queries():
    """Count the SQL statements run inside the block: `with counting_queries() as statements: ...`."""
    from sqlalchemy import event

    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(_db.engine, "before_cursor_execute", listener)


@pytest.fixture
def page_queries(client):
    """How many statements one GET of `url` runs (and that it answers 200)."""

    def count(url: str) -> int:
        with counting_queries() as statements:
            assert client.get(url).status_code == 200, url
        return len(statements)

    return count


# ---- pages for volume and phones (issue 12) ------------------------------------------------------------------

@pytest.fixture
def many(commune_officer, db):
    """60 new obstacles of Phường Hoàn Kiếm, one a day from 5/1/2026: rows written directly (filing each one
    through the domain would cost a second per test), in the shape filing gives them."""
    import datetime as dt

    from tracker.enums import Status
    from tracker.models import Category, Ticket

    UTC = dt.UTC
    category = db.session.scalar(db.select(Category).where(Category.code == "bien_che"))
    start = dt.datetime(2026, 1, 5, 3, tzinfo=UTC)
    tickets = [Ticket(reference=f"PUN-2026-{n + 1:06d}", year=2026, seq=n + 1, locality=commune_officer.locality,
                      province_id=commune_officer.locality.parent_id, created_by=commune_officer, category=category,
                      title=f"Vướng mắc số {n}", description="Đề nghị hướng dẫn.", status=Status.NEW.value,
                      created_at=start + dt.timedelta(days=n), updated_at=start + dt.timedelta(days=n),
                      answer_due_at=dt.datetime(2027, 1, 1, tzinfo=UTC))
               for n in range(60)]
    db.session.add_all(tickets)
    db.session.commit()
    return tickets
