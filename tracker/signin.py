"""Signing in: check the password and record the attempt in the audit trail."""
from __future__ import annotations

from . import audit
from .accounts import authenticate
from .enums import AuditAction
from .models import User


def sign_in(email: str, password: str) -> User | None:
    """The user whose email and password these are (active accounts only), or None; either way recorded."""
    user = authenticate(email, password)
    if user is None:
        audit.record(AuditAction.LOGIN_FAILED, email=(email or "").strip().lower())
    else:
        audit.record(AuditAction.LOGIN, actor=user)
    return user
