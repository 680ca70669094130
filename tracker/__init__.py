"""The application factory. It never starts the scheduler: that is its own process (jobs.py)."""
from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, ConfigError

from . import connections, data_version, i18n, web
from .cli import register_cli
from .extensions import bootstrap, csrf, db, limiter, login_manager, migrate
from .search import index as search_index
from .views.admin.catalog import bp as catalog_bp
from .views.admin.routes import bp as admin_bp
from .views.alerts.routes import bp as alerts_bp
from .views.api import actions as _api_actions  # noqa: F401 - the obstacle's actions join the api blueprint
from .views.api import base as api_base
from .views.api import idempotency as _api_idempotency  # Idempotency-Key on every POST of the API
from .views.api import notifications as _api_notifications  # noqa: F401 - each module adds its routes to api_base.bp
from .views.api import routes as _api_routes  # noqa: F401
from .views.api import stats as _api_stats  # noqa: F401
from .views.api import systemic as _api_systemic  # noqa: F401
from .views.audit.routes import bp as audit_bp
from .views.auth.routes import bp as auth_bp
from .views.dashboard.routes import bp as dashboard_bp
from .views.exports.routes import bp as exports_bp
from .views.forms import write_attributes_faster
from .views.guidance.routes import bp as guidance_bp
from .views.lookup.routes import bp as lookup_bp
from .views.mail_admin.routes import bp as mail_admin_bp
from .views.password.routes import bp as password_bp
from .views.queues.routes import bp as queues_bp
from .views.saved.routes import bp as saved_views_bp
from .views.search.routes import bp as search_bp
from .views.sla_admin.routes import bp as sla_admin_bp
from .views.systemic.routes import bp as systemic_bp
from .views.tickets.routes import bp as tickets_bp
from .views.triage.routes import bp as triage_bp
from .views.workflow.routes import bp as workflow_bp
from .worktime.calendar import OfficeHoursError, parse_office_hours

BLUEPRINTS = (auth_bp, tickets_bp, triage_bp, queues_bp, admin_bp, catalog_bp, sla_admin_bp, workflow_bp,
              mail_admin_bp, password_bp, alerts_bp, dashboard_bp, exports_bp, search_bp, systemic_bp,
              guidance_bp, lookup_bp, saved_views_bp, audit_bp)


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", instance_relative_config=False)
    app.url_map.converters["int"] = web.DatabaseIntConverter  # before any route is added
    config = config or Config()
    app.config.from_object(config)
    _check(app)

    db.init_app(app)
    data_version.install()
    migrate.init_app(app, db, render_as_batch=True, compare_type=True,
                     include_name=search_index.described_by_models)
    csrf.init_app(app)
    bootstrap.init_app(app)
    i18n.init_app(app)
    write_attributes_faster()
    login_manager.init_app(app)
    limiter.init_app(app)  # the limits themselves: views/limits.py
    web.init_app(app)
    _trust_proxies(app)
    _enable_sqlite_pragmas(app)
    with app.app_context():
        connections.ping_when_idle(db.engine)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    api = api_base.init_app(app)  # the API blueprint and its OpenAPI document, generated from the schemas
    _api_idempotency.document(api.spec)
    register_cli(app)
    return app


def _check(app: Flask) -> None:
    """Values config.py cannot judge without the domain: a clear message at start-up, not a 500 later."""
    if not app.config.get("SECRET_KEY"):
        raise ConfigError("SECRET_KEY is not set: put it in the environment or in .env (make run creates one)")
    if app.config.get("OFFICE_HOURS") is not None:
        try:
            parse_office_hours(app.config["OFFICE_HOURS"])
        except OfficeHoursError as error:
            raise ConfigError(f"OFFICE_HOURS: {error}") from None


def _trust_proxies(app: Flask) -> None:
    """Behind reverse proxies, read the client address (and scheme) they forward; never otherwise, or
    anyone could pick the address rate limits, the lockout and the audit trail see."""
    count = app.config.get("TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _enable_sqlite_pragmas(app: Flask) -> None:
    """WAL and foreign keys on SQLite, set on every new connection."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
