"""Languages (Vietnamese first, English second) and local date formatting."""
import datetime as dt

from flask import current_app, g, has_request_context, session
from flask.globals import _cv_app
from flask.json.provider import DefaultJSONProvider
from flask_babel import Domain, format_decimal, get_locale, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape

from .extensions import babel
from .localtime import local_zone


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and jobs: the default, or what the caller forced
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    api_user = g.get("api_user")  # the JSON API's caller (views/api/base.authenticate)
    if api_user is not None and api_user.locale in languages:
        return api_user.locale
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class RequestDomain(Domain):
    """Flask-Babel's message domain, whose translations are found once per request and language: Flask-Babel
    finds them again for every message (about ten context lookups and the locale's name built each time), and
    a list page translates a hundred. `force_locale` (emails in their reader's language) and `refresh` put
    another locale object in place, so the translations held for the previous one are not used for it."""

    def get_translations(self):
        held = _babel_context()
        kept = getattr(held, "request_translations", None)
        if kept is not None and kept[0] is getattr(held, "babel_locale", None):
            return kept[1]
        translations = super().get_translations()  # selects the locale (and makes the context) when none is yet
        held = _babel_context()
        if getattr(held, "babel_locale", None) is not None:
            held.request_translations = (held.babel_locale, translations)
        return translations


def _babel_context():
    """Flask-Babel's per-context namespace (g._flask_babel), read without going through the `g` proxy."""
    app_context = _cv_app.get(None)
    return getattr(app_context.g, "_flask_babel", None) if app_context is not None else None


def translations():
    return babel.domain_instance.get_translations()


def local_time(value: dt.datetime) -> dt.datetime:
    return value.astimezone(local_zone())


def format_date_vn(value) -> str:
    """dd/mm/yyyy, in local time for datetimes."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local_time(value)
    return value.strftime("%d/%m/%Y")


def format_datetime_vn(value: dt.datetime | None) -> str:
    """dd/mm/yyyy HH:MM in local time (numbers only, the same in every language: no Babel pattern needed,
    which a list of 100 rows would pay for twice a row)."""
    if value is None:
        return ""
    if value.tzinfo is None:  # stored moments are UTC
        value = value.replace(tzinfo=dt.UTC)
    return local_time(value).strftime("%d/%m/%Y %H:%M")


def format_count(value: int, cap: int | None = None) -> str:
    """A count with the language's digit grouping (10.000 in Vietnamese); beyond a bounded count's cap, "10.000+"."""
    if cap is not None and value > cap:
        return f"{format_decimal(cap)}+"
    return str(value) if 0 <= value < 1000 else format_decimal(value)  # no digit grouping below a thousand


def _as_text(lazy: LazyString) -> Markup:
    """A lazily translated message is text, never markup: the translation and what it interpolates (a file
    name, a date someone typed) are escaped when a template shows it, once: a value its caller escaped
    already (Markup) is kept as it is, the way Jinja's own `_()` formats."""
    if lazy._func is gettext and lazy._kwargs:  # LazyString keeps what lazy_gettext was given
        return Markup(escape(gettext(*lazy._args))) % lazy._kwargs
    return escape(str(lazy))


def never_trust_translations() -> None:
    """Flask-Babel gives lazy strings an `__html__` that returns them as they are, so Jinja takes them for
    safe markup and a message such as “The date %(value)s...” would inject whatever the user typed. Every
    lazy string is escaped instead; the issue was dismissed upstream (python-babel/flask-babel#121)."""
    LazyString.__html__ = _as_text


class TextJSONProvider(DefaultJSONProvider):
    """JSON carries a translated message as its text: Flask would serialise anything with `__html__` as that
    HTML, so an escaped "province&#39;s" would reach API clients."""

    @staticmethod
    def default(o):
        if isinstance(o, LazyString):
            return str(o)
        return DefaultJSONProvider.default(o)


def init_app(app) -> None:
    never_trust_translations()
    app.json = TextJSONProvider(app)
    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = RequestDomain(domain=app.extensions["babel"].default_domain)
    app.jinja_env.install_gettext_callables(  # as Flask-Babel installs them, without its per-message lookups
        gettext=lambda text: translations().ugettext(text),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, text: translations().upgettext(context, text),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(context, singular, plural, n),
        newstyle=True)
    app.jinja_env.filters["date"] = format_date_vn
    app.jinja_env.filters["datetime"] = format_datetime_vn
    app.jinja_env.filters["bounded"] = format_count
    app.jinja_env.globals["get_locale"] = get_locale
