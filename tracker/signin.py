"""Signing in: check the password, slow down guessing, and record every attempt in the audit trail.

Failures are counted in the database (login_failures), so the brakes hold across workers and hosts. Two
brakes, so that an attacker cannot lock the real user out for long:

- per account *and* address: after ADDRESS_FAILURES failures in WINDOW from one address, that address is
  refused for this account until the window has passed. The real user, from their own address, is not
  affected by someone guessing elsewhere;
- per account, from any address: after ACCOUNT_FAILURES failures in WINDOW, each further try must wait
  a delay that doubles with every failure, up to ACCOUNT_DELAY_MAX. Guessing from many addresses is held
  to about one try a minute, while the real user waits at most that minute.

A refused try checks no password (so it guesses nothing) and is answered the same for every email,
existing or not. A successful sign-in clears the failures of its own address.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from . import audit
from .accounts import authenticate
from .enums import AuditAction
from .extensions import db
from .models import LoginFailure, User, utcnow

WINDOW = dt.timedelta(minutes=15)
ADDRESS_FAILURES = 5
ACCOUNT_FAILURES = 10
ACCOUNT_DELAY_MAX = dt.timedelta(seconds=60)
KEEP = dt.timedelta(days=1)  # older failures are deleted as new ones come


@dataclass
class SignIn:
    """What became of a try: the user, or a refusal to show (with how long to wait before trying again)."""

    user: User | None = None
    refusal: object | None = None
    retry_after: int = 0


def sign_in(email: str, password: str, *, address: str, now: dt.datetime | None = None) -> SignIn:
    """Sign in with email and password from a client address; the caller commits (failures are kept)."""
    now = now or utcnow()
    email = (email or "").strip().lower()[:254]
    address = (address or "unknown")[:45]
    refused = _refusal(email, address, now)
    if refused.refusal is not None:
        audit.record(AuditAction.LOGIN_REFUSED, email=email, details={"retry_after_seconds": refused.retry_after})
        return refused
    user = authenticate(email, password)
    if user is None:
        _count_failure(email, address, now)
        audit.record(AuditAction.LOGIN_FAILED, email=email)
        return SignIn(refusal=_l("Wrong email or password, or the account is deactivated."))
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.address == address))
    audit.record(AuditAction.LOGIN, actor=user)
    return SignIn(user=user)


def _refusal(email: str, address: str, now: dt.datetime) -> SignIn:
    recent = db.session.execute(
        select(LoginFailure.failed_at, LoginFailure.address)
        .where(LoginFailure.email == email, LoginFailure.failed_at > now - WINDOW)
        .order_by(LoginFailure.failed_at.desc())).all()
    from_here = [failed_at for failed_at, where in recent if where == address]
    if len(from_here) >= ADDRESS_FAILURES:
        wait = from_here[ADDRESS_FAILURES - 1] + WINDOW - now
        return SignIn(refusal=_l("Too many failed attempts for this account from your connection. Try again in "
                                 "%(minutes)d minutes, or reset your password.", minutes=_minutes(wait)),
                      retry_after=_seconds(wait))
    if len(recent) >= ACCOUNT_FAILURES:
        delay = min(dt.timedelta(seconds=2 ** (len(recent) - ACCOUNT_FAILURES)), ACCOUNT_DELAY_MAX)
        wait = recent[0][0] + delay - now
        if wait > dt.timedelta(0):
            return SignIn(refusal=_l("Too many failed attempts for this account. Wait %(seconds)d seconds and "
                                     "try again.", seconds=_seconds(wait)), retry_after=_seconds(wait))
    return SignIn()


def _count_failure(email: str, address: str, now: dt.datetime) -> None:
    db.session.add(LoginFailure(email=email, address=address, failed_at=now))
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at < now - KEEP))
    db.session.flush()


def _seconds(wait: dt.timedelta) -> int:
    return max(1, int(wait.total_seconds() + 0.999))


def _minutes(wait: dt.timedelta) -> int:
    return max(1, (_seconds(wait) + 59) // 60)
