from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ...accounts import log_out, set_locale
from ...signin import sign_in
from ..actions import perform
from ..forms import redisplay_on_csrf_error
from ..limits import client_address, login_limit
from .forms import LoginForm

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@login_limit
@redisplay_on_csrf_error
def login():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = perform(lambda: sign_in(form.email.data, form.password.data, address=client_address())).value
        if attempt.user is not None:
            login_user(attempt.user)
            return redirect(_safe_next(request.args.get("next")) or url_for("index"))
        flash(str(attempt.refusal), "danger")
        if attempt.retry_after:  # refused before the password was even checked: say when to come back
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(attempt.retry_after)}
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    user = current_user._get_current_object()
    logout_user()
    perform(lambda: log_out(user))
    language = session.get("lang")
    session.clear()  # nothing of this session (its flashes included) reaches whoever signs in next here
    if language:
        session["lang"] = language
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated:
        perform(lambda: set_locale(current_user, code))
    return redirect(_safe_next(request.form.get("next")) or url_for("index"))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
