"""The JSON API's foundation: one flask-smorest blueprint under /api/v1, bearer tokens with scopes, one error
shape, and the OpenAPI document generated from the schemas at /api/v1/openapi.json.

How to add an endpoint (a module of tracker/views/api/, imported by tracker/__init__.py):

    from flask import g
    from .base import bp, commit, not_visible
    from .schemas import ErrorSchema, TicketSchema, ticket_document
    from .action_schemas import StartSchema          # your request schema (an InputSchema)

    @bp.post("/tickets/<reference>/start")
    @bp.arguments(StartSchema())                     # validates the JSON body: 422 (an instance: made once)
    @bp.response(200, TicketSchema)                  # shapes the output and documents it
    @bp.alt_response(404, schema=ErrorSchema)        # what else it may answer (401/403 are on every operation)
    def start(data, reference):
        ticket = permissions.get_visible_ticket(g.api_user, reference)   # 404 when not visible
        commit(lambda: workflow.start(g.api_user, ticket, **data))      # the one commit point
        return ticket_document(g.api_user, ticket)

- **Blueprint**: `bp` (name "api", prefix /api/v1). Every route on it is authenticated by `authenticate`
  (`g.api_user` is the caller, `g.api_token` the token); answers follow the caller's language.
- **Schemas**: request schemas subclass `schemas.InputSchema` (unknown fields are ignored; messages come out
  in the caller's language: use `schemas.text(max_length)` for text fields); output schemas are in
  `schemas.py` (`TicketSchema`, built with `ticket_document`). The same schema validates, shapes and is
  documented: never write the OpenAPI by hand.
- **Scope**: every method but GET/HEAD/OPTIONS needs a read-write token; a read-only token gets 403 before
  the view runs. Nothing to do in the view.
- **Errors**: `{"error": "...", "errors": {field: message}}` for 422 (messages in the caller's language);
  `{"error": "..."}` for 400/401/403/404/405/409/412/428/429/500. `commit(action)` runs a domain action through
  `tracker/views/actions.attempt` (the one commit point): a `DomainError` becomes a 422 with its message
  beside its field (`body` when it names none), a `StaleTicket` a 409. `unprocessable({field: message})`
  answers a 422 from the view itself; `not_visible()` a 404.
- **Idempotency**: a POST with an `Idempotency-Key` header is answered once and replayed (idempotency.py);
  nothing to do in the view.
- **Fuzzing**: tests/test_api_fuzz.py runs schemathesis on every operation of the document: declare every
  answer's schema (`bp.response`/`bp.alt_response`; errors fall under `default`), or the fuzzing fails.
- Note: `bp.arguments` validates before the view runs, so a malformed body is a 422 even for a caller the
  view would refuse with 404 (nothing about the object is revealed: validation never reads it).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask import Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import HTTPException

from ... import data_version
from ...accounts import active_token, record_token_use, token_use_due
from ...errors import DomainError, StaleTicket
from ...extensions import csrf, db
from ...web import retry_after
from ..actions import attempt
from .schemas import ErrorSchema, flatten_errors

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_MIMETYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
DOCS_BLUEPRINT = "api-docs"  # flask-smorest's blueprint serving /api/v1/openapi.json, without a token


class ApiError(HTTPException):
    """An API refusal with the JSON body to answer: `errors` maps fields to messages (422)."""

    def __init__(self, code: int, message, errors: dict | None = None, headers: dict | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.errors = errors
        self.extra_headers = headers or {}


def unprocessable(errors: dict, message=None) -> ApiError:
    """A 422 to raise: `errors` maps each field to its message (lazy strings are rendered now)."""
    return ApiError(422, message or _("The request has errors."),
                    {field: str(text) for field, text in errors.items()})


def kept_json(key: tuple, compute: Callable[[], Any], schema) -> Response:
    """compute()'s document as `schema` and Flask's JSON write it (what @bp.response would send), kept as that text
    under the tickets' data version and `key` (data_version.cached): a kept document is not written again."""
    body = data_version.cached(key, lambda: current_app.json.response(schema.dump(compute())).get_data())
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


def not_visible() -> ApiError:
    return ApiError(404, _("Not found, or not visible to you."))


def commit(action: Callable[[], Any]) -> Any:
    """Run one domain action and commit once (actions.attempt); a refusal is raised as the API's answer."""
    result = attempt(action)
    if result.ok:
        return result.value
    raise domain_refusal(result.error)


def domain_refusal(error: DomainError) -> ApiError:
    if isinstance(error, StaleTicket):
        return ApiError(409, error.message, {error.field or "version": str(error.message)})
    return unprocessable({error.field or "body": error.message})


class ApiParser(FlaskParser):
    """webargs' parser with the API's 422: the field's message in the caller's language."""

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        raise unprocessable(flatten_errors(error.messages))

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        raise unprocessable({"body": _("Send a JSON object.")})

    def load_json(self, req, schema):
        """A body in another format than JSON is refused (415) rather than read as no body at all."""
        if not is_json_request(req) and req.get_data(cache=True):
            raise ApiError(415, _("Send the body as JSON (Content-Type: application/json)."))
        return super().load_json(req, schema)

    def load_json_or_form(self, req, schema):
        """The endpoints that take files: JSON, or a form (multipart with the files)."""
        if req.mimetype in FORM_MIMETYPES:
            return self.load_form(req, schema)
        return self.load_json(req, schema)


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = ApiParser()
    # A body read as JSON or as a form (location "json_or_form": the uploads) is documented as JSON; the view
    # adds its multipart/form-data variant (actions.py `_uploads`).
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict] = {
        **SmorestBlueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING, "json_or_form": "application/json"}


class TrackerApi(Api):
    """flask-smorest's Api, with our error shape, and JSON errors for the API only (the pages keep theirs)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass  # the api blueprint answers its own errors (json_error); the HTML pages keep the app's handlers


bp = Blueprint("api", __name__, url_prefix="/api/v1",
               description="Obstacles, systemic issues, the dashboard's numbers and notifications.")
csrf.exempt(bp)

MESSAGES = {
    401: _l("A valid bearer token is required."),
    403: _l("This token may only read: use a read-write token to change anything."),
    404: _l("Not found, or not visible to you."),
    405: _l("This method is not allowed here."),
}


@bp.before_request
def authenticate():
    """Every API call names its token; a write needs a read-write token. The caller's language follows."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    stored = active_token(token.strip()) if scheme.lower() == "bearer" else None
    if stored is None:
        raise ApiError(401, MESSAGES[401], headers={"WWW-Authenticate": "Bearer"})
    g.api_user, g.api_token = stored.user, stored
    refresh()  # the caller's language (i18n.select_locale reads g.api_user)
    if request.method not in READ_METHODS and not stored.can_write:
        raise ApiError(403, MESSAGES[403])
    if token_use_due(stored):  # a write at most once every few minutes per token: none on most reads
        attempt(lambda: record_token_use(stored))
    return None


def json_error(error: HTTPException):
    """Every refusal of the API as JSON: {"error": message, "errors": {field: message}} (422)."""
    if isinstance(error, ApiError):
        body = {"error": str(error.message)}
        if error.errors is not None:
            body["errors"] = error.errors
        return jsonify(body), error.code, error.extra_headers
    message = MESSAGES.get(error.code) or (error.description if error.code == 400 else error.name)
    body = {"error": str(message)}
    if error.code == 422:
        body["errors"] = {"body": error.name}
    headers = dict(error.get_headers())
    headers.pop("Content-Type", None)
    if error.code == 429:
        headers["Retry-After"] = str(retry_after())
        body["error"] = _("Too many requests. Please wait %(seconds)d seconds and try again.",
                          seconds=retry_after())
    return jsonify(body), error.code, headers


# By code too: the app's HTML handlers for a code would otherwise win over a blueprint's HTTPException handler.
for _code in (HTTPException, 400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428):
    bp.register_error_handler(_code, json_error)


@bp.errorhandler(500)
def server_error(_error):
    db.session.rollback()
    return jsonify(error=_("Something went wrong on our side. Nothing was saved.")), 500


def init_app(app) -> TrackerApi:
    """The Api (its OpenAPI document at /api/v1/openapi.json) and the blueprint, once every module added its
    routes."""
    app.config.setdefault("API_TITLE", "Obstacle tracker API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Bearer tokens (`flask --app app users token EMAIL [--read-only]`); "
                                "what is not visible to the caller answers 404."},
        "security": [{"bearer": []}],
    })
    api = TrackerApi(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(bp)
    return api
