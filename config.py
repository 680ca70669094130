"""Configuration read from the environment (and a `.env` file when present)."""
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")


class ConfigError(RuntimeError):
    """A configuration value is unusable; raised at start-up with a clear message."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _timezone(name: str, default: str) -> str:
    value = os.environ.get(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name} is not a known time zone: {value!r}") from None
    return value


def _clock_time(name: str, default: str) -> str:
    """A time of day written HH:MM (24 h)."""
    value = (os.environ.get(name) or default).strip()
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2
            and int(hours) < 24 and int(minutes) < 60):
        raise ConfigError(f"{name} must be a time of day such as 07:00, got {value!r}")
    return f"{int(hours):02d}:{minutes}"


def _served_at() -> str:
    host = (os.environ.get("HOST") or "127.0.0.1").strip()
    if host in ("0.0.0.0", "::"):  # every interface: links still go to this machine
        host = "127.0.0.1"
    return f"http://{host}:{_int('PORT', 5000)}"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'instance' / 'tracker.db'}"
    # Accept the common short forms and use psycopg 3 for PostgreSQL.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or None
        self.TIMEZONE = _timezone("TIMEZONE", "Asia/Ho_Chi_Minh")
        # Working periods such as 08:00-12:00,13:00-17:00; None: the calendar's default. create_app checks it.
        self.OFFICE_HOURS = os.environ.get("OFFICE_HOURS")
        self.BABEL_DEFAULT_LOCALE = "vi"
        self.BABEL_DEFAULT_TIMEZONE = self.TIMEZONE
        self.LANGUAGES = ("vi", "en")
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = _int("MAIL_PORT", 25)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
        self.MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 20)  # seconds to wait for the SMTP server
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "no-reply@localhost")
        # Links in emails; by default where `make run` serves (HOST, PORT).
        self.BASE_URL = (os.environ.get("BASE_URL") or _served_at()).rstrip("/")
        self.ATTACHMENTS_DIR = os.environ.get("ATTACHMENTS_DIR") or str(BASE_DIR / "instance" / "attachments")
        self.ATTACHMENT_MAX_BYTES = _int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
        self.ATTACHMENT_MAX_FILES = _int("ATTACHMENT_MAX_FILES", 10)
        self.MAX_CONTENT_LENGTH = self.ATTACHMENT_MAX_BYTES * self.ATTACHMENT_MAX_FILES + 1024 * 1024
        self.SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", True)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.BOOTSTRAP_SERVE_LOCAL = True
        self.PAGE_SIZE = _int("PAGE_SIZE", 25)
        # Deadline alerts reach each person at most once per window; daily summaries at this local time.
        self.ALERT_WINDOW_MINUTES = _int("ALERT_WINDOW_MINUTES", 60)
        if not 1 <= self.ALERT_WINDOW_MINUTES <= 24 * 60:
            raise ConfigError(f"ALERT_WINDOW_MINUTES must be between 1 and 1440, got {self.ALERT_WINDOW_MINUTES}")
        self.ALERT_DAILY_AT = _clock_time("ALERT_DAILY_AT", "07:00")
        # Behind N reverse proxies, the client address is the Nth from the right of X-Forwarded-For
        # (rate limits, lockout and the audit trail use it). 0: the socket's address, headers ignored.
        self.TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)
        # Rate limits (Flask-Limiter). memory:// counts per process: fine for `make run`; with several
        # workers or hosts use a shared store, e.g. redis://redis-host:6379/0.
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_HEADERS_ENABLED = True  # Retry-After (and X-RateLimit-*) on limited routes
        self.RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN") or "20 per minute;200 per hour"
        self.RATELIMIT_PASSWORD_RESET = os.environ.get("RATELIMIT_PASSWORD_RESET") or "5 per 15 minutes"
        self.RATELIMIT_RESET_EMAIL = os.environ.get("RATELIMIT_RESET_EMAIL") or "1 per 5 minutes"
        self.RATELIMIT_FILING = os.environ.get("RATELIMIT_FILING") or "10 per minute;200 per hour"
        self.RATELIMIT_API = os.environ.get("RATELIMIT_API") or "300 per minute"
        self.RATELIMIT_API_ADDRESS = os.environ.get("RATELIMIT_API_ADDRESS") or "600 per minute"
        _int("PORT", 5000)


class TestConfig(Config):
    __test__ = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.TESTING = True
        self.SQLALCHEMY_DATABASE_URI = database_url
        self.SECRET_KEY = "test-secret-key"
        self.WTF_CSRF_ENABLED = False
        self.SCHEDULER_ENABLED = False
        self.MAIL_SERVER = "127.0.0.1"
        self.BASE_URL = "http://tracker.test"
        # Every test shares 127.0.0.1: limits out of reach (tests/test_limits.py sets its own, low ones).
        for name in ("LOGIN", "PASSWORD_RESET", "RESET_EMAIL", "FILING", "API", "API_ADDRESS"):
            setattr(self, f"RATELIMIT_{name}", "1000000 per second")
