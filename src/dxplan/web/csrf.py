"""CSRF tokens: one random token per session, sent back by every form and cookie write."""

from __future__ import annotations

import secrets

from fastapi import Request

CSRF_FIELD = "csrf_token"  # the hidden field of every form
CSRF_HEADER = "X-CSRF-Token"  # the header of an API write made with the session cookie


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, given: str | None) -> bool:
    """Whether `given` is this session's token (compared in constant time)."""
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not given:
        return False
    return secrets.compare_digest(expected, given)
