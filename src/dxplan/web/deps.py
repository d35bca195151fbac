"""Shortcuts that route handlers declare: the workspace, the plan, the language."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from dxplan.domain.plan import Plan
from dxplan.web.rendering import Renderer
from dxplan.workspace import Workspace


def get_workspace(request: Request) -> Workspace:
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


def get_renderer(request: Request) -> Renderer:
    renderer: Renderer = request.app.state.renderer
    return renderer


RendererDep = Annotated[Renderer, Depends(get_renderer)]
