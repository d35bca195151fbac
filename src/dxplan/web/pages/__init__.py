"""Server-rendered pages; each has a JSON twin computed by the same call."""

from dxplan.web import assets
from dxplan.web.pages import (
    account,
    alerts,
    completeness,
    dashboard,
    focal_points,
    index,
    indicators,
    notifications,
    official,
    opendata,
    overview,
    reports,
    task,
    tasks,
    units,
)

ROUTERS = (
    assets.router,
    dashboard.router,
    indicators.router,
    units.router,
    index.router,
    alerts.router,
    overview.router,
    account.router,
    notifications.router,
    completeness.router,
    focal_points.router,
    official.router,
    reports.router,
    reports.api_router,
    tasks.router,  # before task.router: /tasks/breakthrough/new is no task's action
    task.router,
    opendata.router,
)
