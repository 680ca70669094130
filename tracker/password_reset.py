"""Forgotten passwords: a signed, time-limited, single-use link sent through the outbox.

The token carries a fingerprint of the current password hash, so it stops working once used
(the hash changes) and the database stores nothing about it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from . import audit
from .enums import AuditAction
from .errors import DomainError
from .extensions import db
from .mail import outbox
from .models import User
from .passwords import check_new_password, normalise

SALT = "password-reset"
MAX_AGE = dt.timedelta(hours=1)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def request_reset(email: str) -> None:
    """Enqueue a reset link when an active account has this email; silent otherwise (no account probing)."""
    address = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == address)) if address else None
    audit.record(AuditAction.PASSWORD_RESET_REQUESTED, email=address, target=user,
                 details=None if user is not None and user.active else {"sent": False})
    if user is None or not user.active:
        return
    token_id = secrets.token_hex(8)
    token = _serializer().dumps({"u": user.id, "f": _fingerprint(user), "t": token_id})
    link = current_app.config["BASE_URL"] + url_for("password.reset", token=token)
    outbox.enqueue_email(f"reset:{user.id}:{token_id}", user, "password_reset", _l("Reset your password"),
                         link=link, hours=int(MAX_AGE.total_seconds() // 3600))


def user_for_token(token: str) -> User | None:
    """The user a valid, unexpired, unused link belongs to; None otherwise."""
    try:
        data = _serializer().loads(token, max_age=int(MAX_AGE.total_seconds()))
        user = db.session.get(User, int(data["u"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


def reset_password(user: User, password: str, confirm: str) -> None:
    """The new password, under the one policy (passwords.py), typed twice alike."""
    password = check_new_password(password)
    if password != normalise(confirm):
        raise DomainError(_l("The two passwords differ."), "confirm")
    user.set_password(password)
    db.session.flush()
    audit.record(AuditAction.PASSWORD_RESET, actor=user, target=user)
