"""Shortcuts that route handlers declare: the workspace, the plan, the language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dxplan.domain.plan import Plan
from dxplan.store import tokens as token_store
from dxplan.store.tokens import Scope, Token
from dxplan.web.rendering import Renderer
from dxplan.workspace import Workspace


async def get_workspace(request: Request) -> Workspace:  # no I/O: no worker thread
    workspace: Workspace = request.app.state.workspace
    return workspace


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


def get_plan(workspace: WorkspaceDep) -> Plan:
    plan = workspace.plan()
    if plan is None:
        raise HTTPException(
            status_code=503,
            detail="The store holds no plan yet: run `dxplan init` (or `dxplan demo`).",
        )
    return plan


PlanDep = Annotated[Plan, Depends(get_plan)]


async def get_renderer(request: Request) -> Renderer:  # no I/O: no worker thread
    renderer: Renderer = request.app.state.renderer
    return renderer


RendererDep = Annotated[Renderer, Depends(get_renderer)]


def require_scope(scope: Scope) -> Callable[..., Token]:
    """A dependency: the request's bearer token, which must be active and carry `scope`.

    No token, an unknown or revoked one, or one acting for a disabled account: 401. A
    valid token without the scope: 403.
    """

    def check(
        workspace: WorkspaceDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Token:
        challenge = {"WWW-Authenticate": "Bearer"}
        if credentials is None:
            raise HTTPException(401, "A bearer token is required.", headers=challenge)
        with workspace.engine.connect() as conn:  # a read: most requests write nothing here
            token = token_store.find(conn, credentials.credentials)
        if token is not None and token_store.stale(token):
            with workspace.writing() as conn:  # the time of last use, once a minute
                token = token_store.verify(conn, credentials.credentials)
        if token is None:
            raise HTTPException(
                401, "The token is unknown, revoked or its account disabled.", headers=challenge
            )
        if scope not in token.scopes:
            raise HTTPException(403, f"The token {token.name!r} lacks the scope {scope}.")
        return token

    return check


_bearer = HTTPBearer(auto_error=False, description="A token from `dxplan tokens create`.")
