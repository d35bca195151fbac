"""Reminders a person gets: their own choices, and the unsubscribe link of every mail.

`GET /account/notifications` shows each kind of reminder with a box ticked when the
signed-in person gets it; `POST` saves the boxes. `GET /unsubscribe/{token}` (the link
in every mail) asks to confirm; `POST` stops every digest to that address. The token
names the address and is signed with the site's secret: it is the only right needed,
as for any mailing list, and a GET changes nothing (mail scanners follow links).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dxplan import policy
from dxplan.domain.account import User
from dxplan.keys import session_secret
from dxplan.notify import preferences
from dxplan.notify.links import recipient_of
from dxplan.web.auth import PageUser
from dxplan.web.deps import RendererDep, WorkspaceDep
from dxplan.web.pages.account import CheckedForm
from dxplan.web.permissions import require
from dxplan.workspace import Workspace

router = APIRouter(tags=["pages"], include_in_schema=False)


def _page(
    request: Request, renderer: RendererDep, workspace: Workspace, user: User
) -> HTMLResponse:
    key = preferences.key_of(user)
    context = {
        "choices": preferences.choices(workspace, key),
        "address": user.email,
        "saved": request.query_params.get("saved") == "1",
    }
    return renderer.render(request, "notifications.html", context)


@router.get("/account/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request, workspace: WorkspaceDep, renderer: RendererDep, user: PageUser
) -> HTMLResponse:
    require(user, policy.Action.NOTIFY_CHOOSE, policy.ORGANISATION)
    return _page(request, renderer, workspace, user)


@router.post("/account/notifications", response_class=HTMLResponse)
def notifications_submit(workspace: WorkspaceDep, user: PageUser, form: CheckedForm) -> Response:
    require(user, policy.Action.NOTIFY_CHOOSE, policy.ORGANISATION)
    wanted = {str(k).removeprefix("kind.") for k in form if str(k).startswith("kind.")}
    preferences.save(workspace, preferences.key_of(user), wanted, actor=user.username)
    return RedirectResponse("/account/notifications?saved=1", status_code=303)


def _unsubscribe(
    request: Request, renderer: RendererDep, token: str, recipient: str | None, *, done: bool
) -> HTMLResponse:
    """The page; a token that is not one of ours: 404, saying so."""
    context = {"recipient": recipient, "token": token, "done": done}
    status = 200 if recipient is not None else 404
    return renderer.render(request, "unsubscribe.html", context, status_code=status)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(
    token: str, request: Request, workspace: WorkspaceDep, renderer: RendererDep
) -> HTMLResponse:
    recipient = recipient_of(session_secret(workspace.settings), token)
    return _unsubscribe(request, renderer, token, recipient, done=False)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_submit(
    token: str,
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    form: CheckedForm,
) -> HTMLResponse:
    recipient = recipient_of(session_secret(workspace.settings), token)
    if recipient is not None:
        preferences.unsubscribe(workspace, recipient, actor=f"link:{recipient}"[:64])
    return _unsubscribe(request, renderer, token, recipient, done=True)
