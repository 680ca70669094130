"""Admin pages: users (this module) and the reference data (catalog.py). Admins only; others get 404."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ... import accounts, permissions, queries
from ...enums import Role
from ...extensions import db
from ...forms import put_error_on_form
from ...models import Unit, User
from ...tickets import DomainError
from .forms import ButtonForm, EditUserForm, PasswordForm, UserForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
@permissions.role_required(Role.ADMIN)
def admins_only():
    """Every admin page: log in first, then admins only (others get 404)."""


def lookup(model, code: str | None, field: str):
    """By code; a code that names nothing is an error, not 'none chosen'."""
    if not code:
        return None
    found = db.session.scalar(select(model).where(model.code == code.strip()))
    if found is None:
        raise DomainError(_("Choose a value from the list."), field)
    return found


def locality(code: str | None, field: str = "locality"):
    if not code:
        return None
    found = queries.locality_by_code(code)
    if found is None:
        raise DomainError(_("No province or commune has this code."), field)
    return found


def form_data(obj, names: tuple[str, ...]) -> dict:
    """An object's current values for a form, related objects by their code (never the object itself)."""
    if obj is None:
        return {}
    values = {name: getattr(obj, name) for name in names}
    return {name: getattr(v, "code", v) if v is not None else "" for name, v in values.items()}


def render_form(form, title: str, status: int = 200, **context):
    return render_template("admin/form.html", form=form, title=title, **context), status


def save(form, action, success: str, redirect_to: str, title: str, **context):
    """The shared POST flow: validate, one domain call, commit, flash, redirect; or the form back with errors."""
    if form.validate_on_submit():
        try:
            action()
        except DomainError as error:
            db.session.rollback()
            put_error_on_form(form, error)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(redirect_to)
    return render_form(form, title, 422 if request.method == "POST" else 200, **context)


@bp.get("")
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users():
    role = request.args.get("role") if request.args.get("role") in {r.value for r in Role} else None
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") if request.args.get("status") in ("active", "inactive") else None
    query = select(User).options(joinedload(User.locality), joinedload(User.unit)).order_by(User.email)
    if role:
        query = query.where(User.role == role)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.email).like(pattern), func.lower(User.name).like(pattern)))
    if status:
        query = query.where(User.active.is_(status == "active"))
    page = db.paginate(query, page=max(request.args.get("page", 1, type=int), 1),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/users.html", page=page, role=role, q=q, status=status, button=ButtonForm())


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    form.fill_choices()
    created = {}

    def action():
        password = form.password.data or None
        user = accounts.create_user(form.email.data, form.role.data, name=form.name.data or "",
                                    password=password, locality=locality(form.locality.data),
                                    unit=lookup(Unit, form.unit.data, "unit"))
        user.is_unit_head = bool(form.is_unit_head.data) and user.unit is not None
        created["user"], created["password"] = user, password

    response = save(form, action, _("The user was created."), url_for("admin.users"), _("New user"))
    if "user" in created and created["password"] is None:
        return _show_new_password(created["user"])
    return response


def _show_new_password(user: User):
    """A generated password is shown once, now; it is stored only as a hash."""
    password = accounts.reset_password(user)
    db.session.commit()
    return render_template("admin/password_shown.html", user=user, password=password)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(data=form_data(user, ("name", "role", "locality", "unit", "is_unit_head")))
    form.fill_choices()

    def action():
        accounts.update_user(current_user, user, name=form.name.data or "", role=form.role.data,
                             locality=locality(form.locality.data), unit=lookup(Unit, form.unit.data, "unit"),
                             is_unit_head=form.is_unit_head.data)

    return save(form, action, _("The user was saved."), url_for("admin.users"), str(user.email), user=user,
                button=ButtonForm(), password_form=PasswordForm())


@bp.post("/users/<int:user_id>/active")
def toggle_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        accounts.set_user_active(current_user, user, not user.active)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
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
    if not form.password.data:
        return _show_new_password(user)
    accounts.reset_password(user, form.password.data)
    db.session.commit()
    flash(_("The password was changed."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


from . import catalog  # noqa: E402,F401  (registers the units, categories and rules pages on bp)
