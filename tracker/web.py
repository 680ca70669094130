"""Request-wide wiring: the user loader, error pages, template helpers, security headers."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import joinedload

from . import enums, permissions
from .extensions import db, login_manager
from .models import User, utcnow
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


def init_app(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        # With their locality and unit: pages ask for them (scope, names) and should not pay a query each.
        return db.session.get(User, int(user_id), options=[joinedload(User.locality), joinedload(User.unit)]) \
            if user_id.isdigit() else None

    @app.context_processor
    def template_helpers():
        return {"enums": enums, "perm": permissions}

    app.add_template_global(sla_label)
    app.add_template_global(sla_left)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        flash(_("Your form expired or was sent without its security token. Please try again."), "danger")
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "redisplays_form_on_csrf_error", False):
            # The view validates a FlaskForm, whose own CSRF check fails too: it changes nothing and
            # shows the form again as typed, with a fresh token.
            response = app.make_response(view(**(request.view_args or {})))
            response.status_code = 400
            return response
        return render_template("errors/error.html", code=400,
                               message=_("The form could not be accepted.")), 400

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/error.html", code=404, message=_("This page does not exist.")), 404

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/error.html", code=403,
                               message=_("You may not do this.")), 403

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
