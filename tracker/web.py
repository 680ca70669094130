"""Request-wide wiring: the user loader, error pages, template helpers, security headers."""
import functools
import re
import time

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, with_expression
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import IntegerConverter

from . import connections, data_version, enums, permissions
from .alerts.inbox import UNREAD_CAP
from .extensions import db, limiter, login_manager
from .models import Notification, User, utcnow
from .worktime import sla
from .worktime.calendar import request_calendar


def sla_label(state: str | None):
    """An SLA state's label; a value that names no state is shown as it is."""
    return enums.SlaState(state).label if state in set(enums.SlaState) else state


def sla_left(due):
    """("left"/"overdue", amount, unit) of working time until `due`, with the calendar read once a request."""
    if due is None:
        return None
    return sla.describe_left(utcnow(), due, request_calendar())


MAX_ID = 2**31 - 1  # the largest value of the id columns (INTEGER on PostgreSQL and SQLite)
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(response):
    """Every response: no sniffing or framing, a CSP that also pins <base> and form targets; HSTS once
    cookies are secure (the site is served over HTTPS only); and whatever a signed-in user or an API token
    sees is never kept by a browser or proxy cache."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if _serves_someones_data():
        response.cache_control.no_store = True
    return response


def _serves_someones_data() -> bool:
    if (request.endpoint or "").endswith("static"):
        return False  # CSS and scripts are the same for everyone
    # Any signed-in account, read without touching its row: after a POST's commit the user's attributes are
    # expired, and is_authenticated (is_active) would load the user again for a header.
    return g.get("api_user") is not None or not current_user.is_anonymous


class DatabaseIntConverter(IntegerConverter):
    """<int:...> in a URL fits the database's integer columns: a bigger number names nothing (404), where
    it would overflow the query (a 500)."""

    def __init__(self, url_map, fixed_digits=0, min=0, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class NulInRequest(BadRequest):
    """PostgreSQL stores no NUL character in text, and no database stores a lone surrogate (a JSON "\\ud800"
    that pairs with nothing); no form or link of ours sends either."""

    @property
    def description(self):
        return _("This request contains a character that is not allowed (a NUL byte or a broken character). "
                 "Remove it and try again.")

    @description.setter
    def description(self, _value):
        pass


def refuse_nul_bytes():
    """Before any view: a NUL byte in the path, a query parameter, a form field or a JSON body (the API's
    "\u0000") is refused (400)."""
    if "\x00" in request.path or _has_nul(request.args) or _has_nul(request.form):
        raise NulInRequest()
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # nested deeper than the parser goes: no request of ours looks like that
            raise BadRequest(_("The JSON body is nested too deeply.")) from None
        if _json_has_unstorable(body):
            raise NulInRequest()


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL, and surrogates that JSON's \u escapes can leave alone


def _json_has_unstorable(body) -> bool:
    """A NUL or a lone surrogate in any text or key of a JSON document (walked without recursion: nesting
    may be deep)."""
    pending = [body]
    while pending:
        value = pending.pop()
        if isinstance(value, str) and UNSTORABLE.search(value):
            return True
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def blueprint_error_handler(app, error):
    """The handler the request's blueprint registered for this error (by its code or any of its classes):
    an app-wide handler for a code would otherwise shadow a blueprint's catch-all HTTPException handler."""
    for name in request.blueprints or _blueprints_by_prefix(app):
        for code in (error.code, None):
            handlers = app.error_handler_spec[name][code]
            found = next((handlers[cls] for cls in type(error).__mro__ if cls in handlers), None)
            if found is not None:
                return found
    return None


def _blueprints_by_prefix(app) -> list[str]:
    """When no route matched (404, 405), the blueprints whose URL prefix the path is under: /api/v1/nothing
    is still the API's, and answers as the API does."""
    path = request.path + "/"
    prefixes = {name: (blueprint.url_prefix or "").rstrip("/") for name, blueprint in app.blueprints.items()}
    return [name for name, prefix in prefixes.items() if prefix and path.startswith(prefix + "/")]


def retry_after() -> int:
    """Seconds until the limit this request broke lets requests through again."""
    breached = limiter.current_limit
    return max(1, int(breached.reset_at - time.time())) if breached is not None else 60


@functools.cache
def _user_by_id():
    """The session's user with their locality, unit and the bell's unread count: every page shows them and
    should not pay a query each (the count is read on the (user_id, read_at) index). Built once: building the
    statement took a third of loading the user."""
    unread = select(func.count()).select_from(
        select(Notification.id).where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .limit(UNREAD_CAP + 1).correlate(User).subquery()).scalar_subquery()
    return (select(User, *data_version.read_along()).where(User.id == bindparam("user_id"))
            .options(joinedload(User.locality), joinedload(User.unit), with_expression(User.unread_loaded, unread)))


def fixed_url(endpoint: str, **values) -> str:
    """url_for of a link that is the same on every page (the menu, static files): a page has some thirty."""
    return _built_once((endpoint, *sorted(values.items())), lambda: url_for(endpoint, **values))


def bootstrap_assets() -> tuple[str, str]:
    """Bootstrap's stylesheet and script tags (Bootstrap-Flask), the same on every page."""
    bootstrap = current_app.jinja_env.globals["bootstrap"]
    return _built_once(("bootstrap assets",), lambda: (bootstrap.load_css(), bootstrap.load_js()))


def layout_fragment(*key, caller):
    """A `{% call layout_fragment(...) %}` block's HTML, rendered once per application, root and key: parts of
    the layout that are alike for everyone with the same key (the assets; the menu for a language, a set of
    permissions and a page). Never for anything carrying a user's data or a form's token."""
    return _built_once(("layout fragment", *key), lambda: Markup(caller()))


def menu_key(user) -> tuple:
    """What decides the menu's items: the user's language, and which of them they may open."""
    if not user.is_authenticated:
        return (str(get_locale()),)
    return (str(get_locale()), permissions.can_file(user), permissions.can_triage(user), permissions.is_team(user),
            permissions.can_see_dashboard(user), permissions.is_admin(user))


def _built_once(key: tuple, build):
    """What every page shows alike, built once per application and root (the URL prefix it is served under)."""
    built = current_app.extensions.setdefault("fixed_urls", {})
    key = (request.script_root, *key)
    if key not in built:
        built[key] = build()
    return built[key]


def user_for_session(session_id: str) -> User | None:
    """The user a session's "id:version" names, while that version is current (User.get_id)."""
    user_id, _sep, version = (session_id or "").partition(":")
    if not (user_id.isdigit() and version.isdigit() and len(user_id) < 10 and len(version) < 10):
        return None
    row = connections.first_row(_user_by_id(), {"user_id": int(user_id)})
    if row is None:
        return None
    user, *versions = row
    data_version.known(*versions)  # read along: caches keyed by them cost no statement
    if not user.active or user.session_version != int(version):
        return None
    return user


def init_app(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        return user_for_session(session_id)

    @app.context_processor
    def template_helpers():
        return {"enums": enums, "perm": permissions}

    app.add_template_global(sla_label)
    app.add_template_global(fixed_url)
    app.add_template_global(bootstrap_assets)
    app.add_template_global(layout_fragment)
    app.add_template_global(menu_key)
    app.add_template_global(sla_left)

    app.after_request(security_headers)
    app.before_request(refuse_nul_bytes)

    @app.errorhandler(NulInRequest)
    def nul_in_request(error):
        own = blueprint_error_handler(app, error)
        if own is not None:
            return own(error)
        return render_template("errors/error.html", code=400, message=error.description), 400

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        flash(_("Your form expired or was sent without its security token. Please try again."), "danger")
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "redisplays_form_on_csrf_error", False):
            # The view validates a FlaskForm, whose own CSRF check fails too: it changes nothing and
            # shows the form again as typed, with a fresh token. A view that refuses the user (404 for
            # what they may not use) answers that refusal, as it would with the token.
            try:
                response = app.make_response(view(**(request.view_args or {})))
            except HTTPException as refusal:
                return app.handle_http_exception(refusal)
            response.status_code = 400
            return response
        return render_template("errors/error.html", code=400,
                               message=_("The form could not be accepted.")), 400

    @app.errorhandler(404)
    def not_found(error):
        own = blueprint_error_handler(app, error)
        if own is not None:  # a path under the API's prefix that names nothing: the API's JSON
            return own(error)
        return render_template("errors/error.html", code=404, message=_("This page does not exist.")), 404

    @app.errorhandler(405)
    def method_not_allowed(error):
        own = blueprint_error_handler(app, error)
        if own is not None:
            return own(error)
        return error

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/error.html", code=403,
                               message=_("You may not do this.")), 403

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(error):
        own = blueprint_error_handler(app, error)
        if own is not None:  # the API answers in JSON, with its own handler
            return own(error)
        seconds = retry_after()
        response = app.make_response((render_template(
            "errors/error.html", code=429,
            message=_("Too many requests. Please wait %(seconds)d seconds and try again.", seconds=seconds)), 429))
        response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("errors/error.html", code=413,
                               message=_("The upload is too large.")), 413

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return render_template("errors/error.html", code=500,
                               message=_("Something went wrong on our side. Nothing was saved.")), 500

    @app.get("/favicon.ico")
    def favicon():
        """Browsers ask here before reading the page's icon link."""
        return redirect(url_for("static", filename="favicon.svg"), code=301)

    @app.get("/")
    def index():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        if permissions.can_triage(current_user):
            return redirect(url_for("triage.queue"))
        return redirect(url_for("tickets.index"))
