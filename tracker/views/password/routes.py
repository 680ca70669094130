"""Forgot password: ask for a link by email, then set a new password through it."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...password_reset import request_reset, reset_password, user_for_token
from ..actions import perform
from ..limits import reset_limits
from .forms import ForgotForm, ResetForm

bp = Blueprint("password", __name__, url_prefix="/password")


@bp.route("/forgot", methods=["GET", "POST"])
@reset_limits[1]
@reset_limits[0]  # the address's budget is checked first: a refused request spends no email's budget
def forgot():
    form = ForgotForm()
    if form.validate_on_submit() and perform(lambda: request_reset(form.email.data)).ok:
        # The same answer whether or not the address has an account.
        flash(_("If this email belongs to an account, a link to reset the password is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("password/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    user = user_for_token(token)
    if user is None:
        flash(_("This link is invalid, expired or already used. Ask for a new one."), "danger")
        return redirect(url_for(".forgot"))
    form = ResetForm()
    if form.validate_on_submit() and perform(lambda: reset_password(user, form.password.data,
                                                                   form.confirm.data), form).ok:
        flash(_("Your password was changed. You can log in now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("password/reset.html", form=form), 422 if form.errors else 200
