"""The app factory: `create_app(settings)` builds a whole app, no import-time state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

import dxplan
from dxplan.keys import session_secret
from dxplan.national.delivery import BackgroundDelivery
from dxplan.receiving.service import PacketReceiver
from dxplan.reporting.report import ReportingError
from dxplan.settings import Settings
from dxplan.web.api import ROUTERS as API_ROUTERS
from dxplan.web.api.reports import reporting_error
from dxplan.web.auth import SESSION_COOKIE, SignInRequired
from dxplan.web.headers import SecurityHeaders
from dxplan.web.limits import BodyLimits
from dxplan.web.openapi import describe
from dxplan.web.pages import ROUTERS as PAGE_ROUTERS
from dxplan.web.rendering import Renderer
from dxplan.web.responses import ANY_ROUTE
from dxplan.workspace import Workspace

STATIC = Path(__file__).parent / "static"


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    """A database that stopped answering is a 503 with a reason, never a bare 500."""
    return JSONResponse({"detail": "The database is unavailable; try again shortly."}, 503)


async def _to_sign_in(request: Request, error: Exception) -> RedirectResponse:
    assert isinstance(error, SignInRequired)
    return RedirectResponse(error.location, status_code=303)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A dxplan web app over the workspace that `settings` point at."""
    settings = settings or Settings()
    workspace = Workspace(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the outbox to the national system is delivered in the background when it has a URL
        feed = BackgroundDelivery(workspace) if settings.national_url else None
        if feed is not None:
            feed.start()
        try:
            yield
        finally:
            if feed is not None:
                feed.stop(wait=settings.national_timeout_seconds + 5)
            workspace.close()

    # the API docs (/docs, /redoc) with their scripts served from the package: no CDN
    app = FastAPIOffline(
        title="dxplan",
        version=dxplan.__version__,
        summary="A digital transformation plan run as data: targets, figures, progress.",
        lifespan=lifespan,
        responses=ANY_ROUTE,
    )
    app.state.settings = settings
    app.state.workspace = workspace
    app.state.receiver = PacketReceiver(workspace)  # POST /packets when settings.receive
    # the languages offered follow the plan within DXPLAN_BOARD_CHECK_SECONDS: asking the
    # store for them was most of the cost of a cached page
    app.state.renderer = Renderer(default_language=settings.language, plan=workspace.recent_plan)
    app.add_exception_handler(OperationalError, _database_unavailable)
    # every pooled connection busy for the pool's timeout: the same answer, try again
    app.add_exception_handler(PoolTimeout, _database_unavailable)
    app.add_exception_handler(ReportingError, reporting_error)
    app.add_exception_handler(SignInRequired, _to_sign_in)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_hours * 3600,  # the server ends it too (idle, sign-out)
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    # outermost last: body limits before sessions and routing, headers on every answer
    app.add_middleware(BodyLimits, settings=settings)
    app.add_middleware(SecurityHeaders, settings=settings)
    for router in (*API_ROUTERS, *PAGE_ROUTERS):
        app.include_router(router)
    describe(app)  # optional sign-in marked where a token only adds to what anyone reads
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
