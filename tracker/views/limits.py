"""Rate limits (Flask-Limiter, storage from RATELIMIT_STORAGE_URI): per client address on signing in and
asking for a reset link, per email address on reset emails, per account on filing, per token and per
address on the whole API. The limits are settings (config.py), read on each request.

The login lockout of one account is signin.py's, counted in the database.
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, current_app, request
from flask_login import current_user

from ..extensions import limiter
from .api.base import DOCS_BLUEPRINT
from .api.base import bp as api_bp


def _setting(name: str):
    return lambda: current_app.config[name]


def client_address() -> str:
    """The client's address (behind TRUSTED_PROXY_COUNT proxies, the one they saw)."""
    return request.remote_addr or "unknown"


def signed_in_account() -> str:
    """Filing is limited per account: many offices share one address behind a government gateway."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return client_address()


def reset_email() -> str:
    """One reset email per email address per few minutes, whether or not an account has it."""
    email = (request.form.get("email") or "").strip().lower()
    return "reset:" + hashlib.sha256(email.encode()).hexdigest() if email else client_address()


def api_token() -> str:
    """The API is limited per bearer token (the app-level check runs before the API authenticates)."""
    header = request.headers.get("Authorization", "")
    return "token:" + hashlib.sha256(header.encode()).hexdigest() if header else client_address()


login_limit = limiter.limit(_setting("RATELIMIT_LOGIN"), key_func=client_address, methods=["POST"])
reset_limits = (limiter.limit(_setting("RATELIMIT_PASSWORD_RESET"), key_func=client_address, methods=["POST"]),
                limiter.limit(_setting("RATELIMIT_RESET_EMAIL"), key_func=reset_email, methods=["POST"]))
filing_limit = limiter.limit(_setting("RATELIMIT_FILING"), key_func=signed_in_account, methods=["POST"])

# The API as a whole: one budget for all its routes, the OpenAPI document too (flask-smorest serves it from a
# blueprint of its own; Flask-Limiter knows blueprints by name).
for blueprint in (api_bp, Blueprint(DOCS_BLUEPRINT, __name__)):
    limiter.shared_limit(_setting("RATELIMIT_API"), scope="api-token", key_func=api_token)(blueprint)
    limiter.shared_limit(_setting("RATELIMIT_API_ADDRESS"), scope="api-address", key_func=client_address)(blueprint)
