"""Users and API tokens."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from . import audit, connections, data_version
from .enums import AuditAction, Role, TokenScope
from .errors import DomainError
from .extensions import db
from .models import ApiToken, Locality, Unit, User, utcnow
from .passwords import check_new_password

TOKEN_USE_PRECISION = dt.timedelta(minutes=5)
TOKEN_NAME_MAX = 100
TOKEN_MAX_DAYS = 3650
USER_FIELDS = ("name", "role", "locality", "unit", "is_unit_head")

# A real hash to compare against when the email is unknown, so timing does not reveal accounts.
_DUMMY = User()
_DUMMY.set_password(secrets.token_hex(8))


def normalise_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError(_l("This is not a valid email address."), "email") from None


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
    if user is None:
        _DUMMY.check_password(password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user


def generate_password() -> str:
    """A password for an account whose admin chose none: shown once, stored only as a hash."""
    return secrets.token_urlsafe(12)


def find_users(*, role: str | None = None, text: str = "", active: bool | None = None) -> Select:
    """The admin's user list: by role, email or name text, and active or not; ordered by email."""
    query = select(User).options(joinedload(User.locality), joinedload(User.unit)).order_by(User.email)
    if role:
        query = query.where(User.role == role)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(User.email).like(pattern), func.lower(User.name).like(pattern)))
    if active is not None:
        query = query.where(User.active.is_(active))
    return query


def create_user(email: str, role: str, *, name: str = "", password: str,
                locality: Locality | None = None, unit: Unit | None = None, is_unit_head: bool = False) -> User:
    """Create an account; locality roles need a locality of their level, specialists a unit."""
    email = normalise_email(email)
    try:
        role = Role(role)
    except ValueError:
        raise DomainError(_l("Unknown role."), "role") from None
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise DomainError(_l("A user with this email already exists."), "email")
    _check_role_fields(role, locality, unit)
    if len(name) > 120:
        raise DomainError(_l("The name is too long."), "name")
    password = check_new_password(password)
    user = User(email=email, role=role.value, name=name.strip(),
                locality=locality if role.is_locality else None, unit=None if role.is_locality else unit)
    user.is_unit_head = is_unit_head and user.unit is not None
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(AuditAction.USER_CREATED, target=user, details=audit.snapshot(user, USER_FIELDS))
    return user


def issue_token(user: User, scope: str = TokenScope.WRITE.value, *, name: str = "",
                expires_in_days: int | None = None, now: dt.datetime | None = None) -> str:
    """A new API token, returned once; only its hash is stored. Read-only ("read") or read-write ("write");
    no expiry unless `expires_in_days` says so."""
    try:
        scope = TokenScope(scope)
    except ValueError:
        raise DomainError(_l("Unknown token scope."), "scope") from None
    name = (name or "").strip()
    if len(name) > TOKEN_NAME_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=TOKEN_NAME_MAX), "name")
    if expires_in_days is not None and not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
        raise DomainError(_l("A token lasts from 1 to %(n)s days.", n=TOKEN_MAX_DAYS), "expires_in_days")
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    stored = ApiToken(user=user, token_hash=hash_token(token), name=name, scope=scope.value, created_at=now,
                      expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days else None)
    db.session.add(stored)
    db.session.flush()
    audit.record(AuditAction.TOKEN_CREATED, target=user,
                 details={"id": stored.id, "name": name, "expires_at": _iso(stored.expires_at)})
    return token


def user_tokens(user: User) -> list[ApiToken]:
    """A user's tokens, newest first, revoked and expired ones included (they explain a 401)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(stored: ApiToken, now: dt.datetime | None = None) -> None:
    """A revoked token answers 401 from now on; revoking twice changes nothing."""
    if stored.revoked_at is not None:
        return
    stored.revoked_at = now or utcnow()
    db.session.flush()
    audit.record(AuditAction.TOKEN_REVOKED, target=stored.user, details={"id": stored.id, "name": stored.name})


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Built once: every API call runs it, and building it cost more than running it.
@functools.cache
def _token_by_hash():
    """With the data versions read along (data_version.read_along)."""
    return (select(ApiToken, *data_version.read_along()).where(ApiToken.token_hash == bindparam("token_hash"))
            .options(joinedload(ApiToken.user)))


def active_token(token: str, now: dt.datetime | None = None) -> ApiToken | None:
    """The stored token behind a bearer token, when it is neither revoked nor expired and its user is active."""
    if not token or len(token) > 200:
        return None
    row = connections.first_row(_token_by_hash(), {"token_hash": hash_token(token)})
    if row is None:
        return None
    stored, *versions = row
    data_version.known(*versions)
    if stored is None or not stored.usable(now or utcnow()) or not stored.user.active:
        return None
    return stored


def token_use_due(stored: ApiToken, now: dt.datetime | None = None) -> bool:
    """Whether the token's last use is older than TOKEN_USE_PRECISION: only then is it written again."""
    now = now or utcnow()
    return stored.last_used_at is None or now - stored.last_used_at >= TOKEN_USE_PRECISION


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def record_token_use(stored: ApiToken, now: dt.datetime | None = None) -> bool:
    """Note when a token was last used, at most once every few minutes: a read must not cost a write."""
    now = now or utcnow()
    if not token_use_due(stored, now):
        return False
    stored.last_used_at = now
    db.session.flush()
    return True


def _check_role_fields(role: Role, locality: Locality | None, unit: Unit | None) -> None:
    if role is Role.COMMUNE and (locality is None or locality.is_province):
        raise DomainError(_l("A commune officer needs a commune."), "locality")
    if role is Role.PROVINCE and (locality is None or not locality.is_province):
        raise DomainError(_l("A province coordinator needs a province."), "locality")
    if role is Role.SPECIALIST and unit is None:
        raise DomainError(_l("A specialist needs a unit."), "unit")
    if unit is not None and not unit.active:
        raise DomainError(_l("This unit is not active."), "unit")


def update_user(admin: User, user: User, *, name: str, role: str, locality: Locality | None,
                unit: Unit | None, is_unit_head: bool) -> None:
    """An admin changes a user's name, role, locality or unit; the same rules as creating one."""
    try:
        role = Role(role)
    except ValueError:
        raise DomainError(_l("Unknown role."), "role") from None
    name = (name or "").strip()
    if len(name) > 120:
        raise DomainError(_l("The name is too long."), "name")
    _check_role_fields(role, locality, unit)
    if user.id == admin.id and role is not Role.ADMIN:
        raise DomainError(_l("You cannot take the administrator role from yourself."), "role")
    before = audit.snapshot(user, USER_FIELDS)
    user.name, user.role = name, role.value
    user.locality = locality if role.is_locality else None
    user.unit = None if role.is_locality else unit
    user.is_unit_head = bool(is_unit_head) and user.unit is not None
    changed = audit.changes(before, audit.snapshot(user, USER_FIELDS))
    if changed.keys() & {"role", "locality", "unit"}:
        user.end_sessions()  # what they may see changed: no page keeps showing the old scope
    db.session.flush()
    if changed:
        audit.record(AuditAction.USER_CHANGED, actor=admin, target=user, details=changed)


def set_user_active(admin: User, user: User, active: bool) -> None:
    """A deactivated user cannot log in and is never auto-assigned; their history stays."""
    if user.id == admin.id and not active:
        raise DomainError(_l("You cannot deactivate yourself."))
    user.active = active
    if not active:
        user.end_sessions()
    db.session.flush()
    audit.record(AuditAction.USER_REACTIVATED if active else AuditAction.USER_DEACTIVATED, actor=admin, target=user)


def reset_password(user: User, password: str) -> None:
    """An admin sets a user's password (one they typed, or a generated one they are shown once)."""
    user.set_password(check_new_password(password))
    db.session.flush()
    audit.record(AuditAction.PASSWORD_SET_BY_ADMIN, target=user)


def log_out(user: User) -> None:
    """Logging out ends every session of the user, so a copied cookie replayed later is refused."""
    user.end_sessions()
    db.session.flush()
    audit.record(AuditAction.LOGOUT, actor=user)


def set_locale(user: User, locale: str) -> None:
    """The user's language, for pages and for the emails they receive."""
    user.locale = locale
    db.session.flush()
