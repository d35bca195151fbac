"""The organisation's units."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from dxplan.web.deps import WorkspaceDep
from dxplan.web.responses import refusals

router = APIRouter(prefix="/api", tags=["units"])


@router.get("/units", summary="Units of the organisation, root first", responses=refusals(422))
def list_units(workspace: WorkspaceDep, kind: str | None = None) -> list[dict[str, Any]]:
    """Every active unit (optionally of one declared kind) with its names and parent."""
    organisation, plan = workspace.organisation(), workspace.plan()
    if organisation is None or plan is None:
        raise HTTPException(status_code=503, detail="No units stored yet: run `dxplan init`.")
    if kind is not None and kind not in organisation.kinds.codes:
        declared = ", ".join(organisation.kinds.codes)
        raise HTTPException(status_code=422, detail=f"Unknown kind {kind!r}; declared: {declared}.")
    return [
        {
            "code": unit.code,
            "name": unit.names.get(plan.language),  # in the plan's first language
            "names": unit.names.model_dump(exclude_none=True),
            "kind": unit.kind,
            "parent_code": unit.parent,
        }
        for unit in organisation
        if kind is None or unit.kind == kind
    ]
