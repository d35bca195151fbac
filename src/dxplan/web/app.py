"""The app factory: `create_app(settings)` builds a whole app, no import-time state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import dxplan
from dxplan.settings import Settings
from dxplan.web.api import ROUTERS as API_ROUTERS
from dxplan.web.pages import ROUTERS as PAGE_ROUTERS
from dxplan.web.rendering import Renderer
from dxplan.workspace import Workspace

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """A dxplan web app over the workspace that `settings` point at."""
    settings = settings or Settings()
    workspace = Workspace(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        workspace.close()

    app = FastAPI(
        title="dxplan",
        version=dxplan.__version__,
        summary="A digital transformation plan run as data: targets, figures, progress.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.workspace = workspace
    app.state.renderer = Renderer(default_language=settings.language)
    for router in (*API_ROUTERS, *PAGE_ROUTERS):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
