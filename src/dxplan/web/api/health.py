"""Is the service up, and is its store reachable?"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

import dxplan
from dxplan.store import is_initialised
from dxplan.web.deps import WorkspaceDep

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", summary="Service and store status")
def health(workspace: WorkspaceDep) -> JSONResponse:
    """`ok` with the store's backend when the database answers, `unavailable` (503) if not."""
    body: dict[str, Any] = {
        "version": dxplan.__version__,
        "database": workspace.engine.dialect.name,
    }
    try:
        body["initialised"] = is_initialised(workspace.engine)  # asks the database each time
    except SQLAlchemyError:
        return JSONResponse({**body, "status": "unavailable"}, status_code=503)
    return JSONResponse({**body, "status": "ok"})


@router.get("/version", summary="The running version")
def version() -> dict[str, str]:
    """The version of dxplan that answers (no database involved)."""
    return {"version": dxplan.__version__}
