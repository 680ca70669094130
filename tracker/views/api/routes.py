"""JSON API /api/v1 with bearer tokens. Not-visible objects answer 404, never 403 with details."""
from flask import Blueprint, abort, g, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ... import permissions, queries
from ...accounts import active_token, record_token_use
from ...enums import Role
from ...extensions import csrf
from ...lookups import by_code
from ...models import Category, Locality
from ...tickets import file_ticket
from ..actions import attempt
from .serialise import ticket_detail, ticket_summary
from .spec import document, operation, path_param, query_param

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    stored = active_token(token.strip()) if scheme.lower() == "bearer" else None
    if stored is None:
        return jsonify(error=_("A valid bearer token is required.")), 401, {"WWW-Authenticate": "Bearer"}
    g.api_user = stored.user
    attempt(lambda: record_token_use(stored))  # writes at most once every few minutes per token
    return None


@bp.errorhandler(HTTPException)
def json_error(error: HTTPException):
    return jsonify(error=error.name), error.code


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/tickets")
@operation("GET", "/tickets", "The obstacles this user may see, newest first",
           {200: "TicketPage", 401: "Error"},
           parameters=[query_param("status", {"type": "string"}), query_param("q", {"type": "string"}),
                       query_param("page", {"type": "integer", "minimum": 1})])
def list_tickets():
    filters = queries.TicketFilters.from_args(request.args)
    page = queries.ticket_list(g.api_user, filters, request.args.get("page", 1, type=int), one_per_issue=False)
    return jsonify(items=[ticket_summary(t) for t in page.items], page=page.page, pages=page.pages,
                   total=page.total)


@bp.get("/tickets/<reference>")
@operation("GET", "/tickets/{reference}", "One obstacle with the messages this user may read",
           {200: "Ticket", 401: "Error", 404: "Error"}, parameters=[path_param("reference")])
def get_ticket(reference: str):
    ticket = permissions.get_visible_ticket(g.api_user, reference)
    return jsonify(ticket_detail(ticket, queries.ticket_messages(g.api_user, ticket)))


@bp.post("/tickets")
@operation("POST", "/tickets", "File an obstacle (commune officers and province coordinators)",
           {201: "Ticket", 401: "Error", 404: "Error", 422: "Error: field errors in the user's language"},
           request="NewTicket")
def create_ticket():
    user = g.api_user
    if not permissions.can_file(user):
        abort(404)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _unprocessable({"body": _("Send a JSON object.")})
    fields = {name: data.get(name, "") for name in ("category", "title", "description", "legal_basis",
                                                    "urgency", "locality")}
    wrong_type = [name for name, value in fields.items() if not isinstance(value, str)]
    if wrong_type:
        return _unprocessable({name: _("Must be text.") for name in wrong_type})
    locality_code = fields["locality"] if user.role_enum is Role.PROVINCE else user.locality.code
    result = attempt(lambda: file_ticket(
        user, locality=by_code(Locality, locality_code), category=by_code(Category, fields["category"]),
        title=fields["title"], description=fields["description"], legal_basis=fields["legal_basis"],
        requested_urgency=fields["urgency"] or "normal"))
    if not result.ok:
        with force_locale(user.locale or "vi"):
            return _unprocessable({result.error.field or "body": str(result.error.message)})
    return jsonify(ticket_detail(result.value, [])), 201


def _unprocessable(errors: dict):
    return jsonify(error=_("The request has errors."), errors=errors), 422
