"""Signing in and out: a form, Argon2-checked passwords, throttled failures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

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
    gettext = renderer.formatter(request).gettext
    error: str | None = None
    with workspace.engine.begin() as conn:
        if user_store.locked(conn, username):
            error, status = (
                gettext("Too many failed attempts: wait 15 minutes, then try again."),
                429,
            )
            user = None
        else:
            user = user_store.authenticate(conn, username, password, address)
            error = None if user else gettext("Wrong user name or password.")
            status = 200 if user else 401
    if user is None:
        context = {"next": target, "error": error, "username": username}
        return renderer.render(request, "sign_in.html", context, status_code=status)
    sign_in(request, user)
    return RedirectResponse(target, status_code=303)


@router.post("/sign-out")
def sign_out_submit(request: Request, form: CheckedForm) -> RedirectResponse:
    sign_out(request)
    return RedirectResponse("/", status_code=303)
