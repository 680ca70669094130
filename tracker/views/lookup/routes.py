"""JSON lookups behind the pickers (session login; the same visibility rules as the pages): the browser
asks for the few localities, units, people or categories that match what one types."""
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ... import choices, permissions

bp = Blueprint("lookup", __name__, url_prefix="/lookup")
TEAM_ONLY = {"lookup.units", "lookup.users"}


@bp.before_request
def signed_in_only():
    """A script asks here: answer 401/404 as JSON rather than redirecting it to the login page."""
    if not current_user.is_authenticated:
        return jsonify(error=_("Please log in to continue.")), 401
    if request.endpoint in TEAM_ONLY and not permissions.is_team(current_user):
        return jsonify(error=_("This page does not exist.")), 404
    return None


def _text() -> str:
    return request.args.get("q", "")


@bp.get("/localities")
def localities():
    return jsonify(results=choices.find_localities(current_user, _text(), level=request.args.get("level"),
                                                   province=request.args.get("province") or None))


@bp.get("/units")
def units():
    return jsonify(results=choices.find_units(_text()))


@bp.get("/categories")
def categories():
    return jsonify(results=choices.find_categories(_text(), active_only=request.args.get("active") == "1"))


@bp.get("/users")
def users():
    return jsonify(results=choices.find_specialists(_text(), unit=request.args.get("unit") or None))
