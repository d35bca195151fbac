"""Who is asking: a personal bearer token or a signed-in session; CSRF for forms.

Sessions live on the server (store/sessions.py); the cookie, signed by Starlette's
SessionMiddleware, carries only the session's random id and a CSRF token. Signing
out deletes the session, so a copied cookie is worth nothing afterwards; disabling
an account, changing its password or role deletes all of its sessions. Every request
reloads the account. A form post, or an API write made with the session cookie,
must carry the session's CSRF token; a request with a bearer token carries no cookie
and needs none. See docs/decisions/0010-sessions-and-secrets.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from dxplan.domain.account import User
from dxplan.store import sessions as session_store
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.web.csrf import CSRF_HEADER, csrf_ok, csrf_token
from dxplan.web.deps import WorkspaceDep
from dxplan.workspace import Workspace

SESSION_COOKIE = "dxplan_session"
_CHALLENGE = {"WWW-Authenticate": "Bearer"}

_bearer = HTTPBearer(
    auto_error=False, description="A personal token from `dxplan tokens create --user`."
)


class SignInRequired(Exception):
    """A page needs a signed-in user: the app redirects to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path

    @property
    def location(self) -> str:
        return f"/sign-in?next={quote(self.next_path, safe='/')}"


def sign_in(request: Request, session_id: str) -> None:
    """Carry a fresh server session in the cookie (a new CSRF token: no fixation)."""
    request.session.clear()
    request.session["sid"] = session_id
    csrf_token(request)


def sign_out(request: Request, workspace: Workspace) -> None:
    """End the session on the server, then forget it in the browser."""
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        with workspace.writing() as conn:
            session_store.end(conn, session_id)
    request.session.clear()


async def current_user(
    request: Request,
    workspace: WorkspaceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User | None:
    """The person behind the request, or None. A bad bearer token is a 401 at once.

    A reader with neither token nor session costs no database work and no thread (the
    wall screen, answered on the event loop). Others are identified in a read, in a
    worker thread; only when their session or token is due a note of its last use (once
    a minute) or has timed out does the request write, so signed-in readers never queue
    behind writers.
    """
    session_id = request.session.get("sid") if "session" in request.scope else None
    if credentials is None and not isinstance(session_id, str):
        return None
    return await run_in_threadpool(_identify_reader, request, workspace, credentials, session_id)


def _identify_reader(
    request: Request,
    workspace: Workspace,
    credentials: HTTPAuthorizationCredentials | None,
    session_id: object,
) -> User | None:
    """`current_user` for a request with a token or a session (database work)."""
    secret = credentials.credentials if credentials is not None else None
    sid = session_id if isinstance(session_id, str) else None
    limits = session_store.Limits.of(workspace.settings)
    now = datetime.now(UTC)
    with workspace.engine.connect() as conn:
        found = _identify(conn, secret, sid, limits, now, write=False)
    if found is None:  # a note of last use is due, or a timed-out session to delete
        with workspace.writing() as conn:
            found = _identify(conn, secret, sid, limits, now, write=True)
    assert found is not None
    user, via_token = found
    if user is None:
        request.session.clear()
        return None
    request.state.via_token = via_token
    request.state.user = user
    return user


def _identify(
    conn: Connection,
    secret: str | None,
    session_id: str | None,
    limits: session_store.Limits,
    now: datetime,
    *,
    write: bool,
) -> tuple[User | None, bool] | None:
    """(user or None, via a token?) from a bearer token or else a session; None when
    `write` is False and identifying would write."""
    if secret is not None:
        token = token_store.find(conn, secret)
        if token is None or token.user_id is None:
            raise HTTPException(
                401, "The token is unknown, revoked or not a personal one.", headers=_CHALLENGE
            )
        if token_store.stale(token, now):
            if not write:
                return None
            token_store.verify(conn, secret)
        user = user_store.by_id(conn, token.user_id)
        if user is None or not user.active:
            raise HTTPException(401, "The token's user is disabled.", headers=_CHALLENGE)
        return user, True
    assert session_id is not None
    if not write and session_store.needs_write(conn, session_id, now=now, limits=limits):
        return None
    user_id = session_store.user_of(conn, session_id, now=now, limits=limits)
    user = user_store.by_id(conn, user_id) if user_id is not None else None
    return (user if user is not None and user.active else None), False


CurrentUser = Annotated[User | None, Depends(current_user)]


def api_user(request: Request, user: CurrentUser) -> User:
    """An API caller: 401 without a user; a write through the session cookie needs CSRF."""
    if user is None:
        raise HTTPException(401, "Sign in or send a personal bearer token.", headers=_CHALLENGE)
    unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
    if (
        unsafe
        and not request.state.via_token
        and not csrf_ok(request, request.headers.get(CSRF_HEADER))
    ):
        raise HTTPException(403, f"A write with the session cookie needs the {CSRF_HEADER} header.")
    return user


ApiUser = Annotated[User, Depends(api_user)]


def page_user(request: Request, user: CurrentUser) -> User:
    """A page's reader: unsigned readers go to the sign-in page and come back."""
    if user is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(path)
    return user


PageUser = Annotated[User, Depends(page_user)]
