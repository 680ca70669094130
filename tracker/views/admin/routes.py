"""Admin pages for users: the list, creating and editing accounts, (de)activation and passwords."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ... import accounts
from ...enums import Role, TokenScope
from ...extensions import db
from ...lookups import chosen
from ...models import ApiToken, Locality, Unit, User, utcnow
from ..actions import perform
from ..paging import page_number
from .forms import ButtonForm, EditUserForm, PasswordForm, TokenForm, UserForm
from .shared import admins_only, form_data, render_form

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(admins_only)
NO_LOCALITY = _l("No province or commune has this code.")


@bp.get("")
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users():
    role = request.args.get("role") if request.args.get("role") in {r.value for r in Role} else None
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") if request.args.get("status") in ("active", "inactive") else None
    page = db.paginate(accounts.find_users(role=role, text=q, active=None if status is None else status == "active"),
                       page=page_number(request.args),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/users.html", page=page, role=role, q=q, status=status, button=ButtonForm())


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    form.fill_choices()
    if form.validate_on_submit():
        password = form.password.data or accounts.generate_password()
        result = perform(lambda: accounts.create_user(
            form.email.data, form.role.data, name=form.name.data or "", password=password,
            locality=chosen(Locality, form.locality.data, "locality", NO_LOCALITY),
            unit=chosen(Unit, form.unit.data, "unit"), is_unit_head=bool(form.is_unit_head.data)), form)
        if result.ok and form.password.data:
            flash(_("The user was created."), "success")
            return redirect(url_for("admin.users"))
        if result.ok:  # a generated password is shown once, now; it is stored only as a hash
            return render_template("admin/password_shown.html", user=result.value, password=password)
    return render_form(form, _("New user"), 422 if request.method == "POST" else 200)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(data=form_data(user, ("name", "role", "locality", "unit", "is_unit_head")))
    form.fill_choices()
    if form.validate_on_submit() and perform(lambda: accounts.update_user(
            current_user, user, name=form.name.data or "", role=form.role.data,
            locality=chosen(Locality, form.locality.data, "locality", NO_LOCALITY),
            unit=chosen(Unit, form.unit.data, "unit"), is_unit_head=form.is_unit_head.data), form).ok:
        flash(_("The user was saved."), "success")
        return redirect(url_for("admin.users"))
    return render_form(form, str(user.email), 422 if request.method == "POST" else 200, **_account_parts(user))


def _account_parts(user: User, token_form: TokenForm | None = None) -> dict:
    """What the user page shows beside the profile form: activation, password, API tokens."""
    return {"user": user, "button": ButtonForm(), "password_form": PasswordForm(),
            "token_form": token_form or TokenForm(), "tokens": accounts.user_tokens(user), "now": utcnow()}


@bp.post("/users/<int:user_id>/active")
def toggle_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if perform(lambda: accounts.set_user_active(current_user, user, not user.active)).ok:
        flash(_("The user was reactivated.") if user.active else _("The user was deactivated."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
def reset_user_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PasswordForm()
    if not form.validate_on_submit():
        for error in form.password.errors:
            flash(str(error), "danger")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    password = form.password.data or accounts.generate_password()
    if not perform(lambda: accounts.reset_password(user, password)).ok:
        return redirect(url_for("admin.edit_user", user_id=user.id))
    if not form.password.data:
        return render_template("admin/password_shown.html", user=user, password=password)
    flash(_("The password was changed."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/tokens")
def new_token(user_id: int):
    user = db.get_or_404(User, user_id)
    form = TokenForm()
    if form.validate_on_submit():
        scope = TokenScope.READ if form.read_only.data else TokenScope.WRITE
        result = perform(lambda: accounts.issue_token(user, scope, name=form.name.data or "",
                                                      expires_in_days=form.expires_in_days.data), form)
        if result.ok:  # shown once, now; only its hash is stored
            return render_template("admin/token_shown.html", user=user, token=result.value)
    profile = EditUserForm(data=form_data(user, ("name", "role", "locality", "unit", "is_unit_head")))
    profile.fill_choices()
    return render_form(profile, str(user.email), 422, **_account_parts(user, form))


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
def revoke_token(user_id: int, token_id: int):
    stored = db.session.get(ApiToken, token_id)
    if stored is None or stored.user_id != user_id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if perform(lambda: accounts.revoke_token(stored)).ok:
        flash(_("The token was revoked: it no longer works."), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))
