"""Signing in and out: a form, Argon2-checked passwords, throttled failures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from dxplan.store import sessions as session_store
from dxplan.store import throttle
from dxplan.store import users as user_store
from dxplan.web.auth import CurrentUser, sign_in, sign_out
from dxplan.web.csrf import CSRF_FIELD, csrf_ok
from dxplan.web.deps import RendererDep, WorkspaceDep

router = APIRouter(tags=["pages"], include_in_schema=False)


async def checked_form(request: Request) -> FormData:
    """The posted form, if it carries this session's CSRF token; 403 otherwise."""
    form = await request.form()
    given = form.get(CSRF_FIELD)
    if not csrf_ok(request, given if isinstance(given, str) else None):
        raise HTTPException(
            403, "The form has expired or did not come from dxplan: reload the page and retry."
        )
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never //host or a full URL): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(
    request: Request, renderer: RendererDep, user: CurrentUser, next: str = "/"
) -> Response:
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return renderer.render(request, "sign_in.html", {"next": _safe_next(next), "error": None})


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_submit(
    request: Request, workspace: WorkspaceDep, renderer: RendererDep, form: CheckedForm
) -> Response:
    username = str(form.get("username", "")).strip().lower()
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/")))
    address = request.client.host if request.client else "unknown"
    formatter = renderer.formatter(request)
    context = {"next": target, "username": username}
    # counted before the password is checked, in a transaction of its own: the row
    # must be visible to the attempts that run while this one checks its password
    with workspace.writing() as conn:
        verdict = throttle.admit(conn, username, address)
    if not verdict.allowed:
        error = formatter.gettext(
            "Too many failed attempts from here: wait {seconds} seconds, then try again."
        ).format(seconds=formatter.number(verdict.retry_after))
        response = renderer.render(
            request, "sign_in.html", {**context, "error": error}, status_code=429
        )
        response.headers["Retry-After"] = str(verdict.retry_after)
        return response
    with workspace.engine.connect() as conn:
        user = user_store.authenticate(conn, username, password)
        conn.commit()  # a password hash upgraded to stronger parameters, rarely
    if user is None:
        error = formatter.gettext("Wrong user name or password.")
        return renderer.render(
            request, "sign_in.html", {**context, "error": error}, status_code=401
        )
    limits = session_store.Limits.of(workspace.settings)
    with workspace.writing() as conn:
        throttle.succeeded(conn, username, address)
        session_store.prune(conn, limits=limits)
        session_id = session_store.start(conn, user.id)
    sign_in(request, session_id)
    return RedirectResponse(target, status_code=303)


@router.post("/sign-out")
def sign_out_submit(
    request: Request, workspace: WorkspaceDep, form: CheckedForm
) -> RedirectResponse:
    sign_out(request, workspace)
    return RedirectResponse("/", status_code=303)
