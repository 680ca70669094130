"""The one password policy, for every place a password is set (the CLI, the admin pages, the reset link).

Long rather than complicated (NIST SP 800-63B): at least 12 characters, at most 128, not one of the common
passwords shipped in data/common_passwords.txt (its head says where the list comes from), and compared
in Unicode NFC, so "mật khẩu" typed on a keyboard that composes accents and on one that does not is the
same password for hashing and for checking.
"""
from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from flask_babel import lazy_gettext as _l

from .errors import DomainError

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common_passwords.txt"


def normalise(password: str | None) -> str:
    """The form a password is hashed and checked in."""
    return unicodedata.normalize("NFC", password or "")


@functools.cache
def common_passwords() -> frozenset[str]:
    with COMMON_PASSWORDS.open(encoding="utf-8") as lines:
        return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def check_new_password(password: str | None) -> str:
    """The normalised password when it meets the policy; a DomainError on the `password` field otherwise."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        raise DomainError(_l("The password needs at least %(min)d characters.", min=MIN_LENGTH), "password")
    if len(password) > MAX_LENGTH:
        raise DomainError(_l("The password is too long (at most %(max)d characters).", max=MAX_LENGTH),
                          "password")
    if len(set(password)) == 1 or password.casefold() in common_passwords():
        raise DomainError(_l("This password is too common and easy to guess: choose another one."), "password")
    return password
