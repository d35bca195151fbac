"""JSON API: one router per resource."""

from dxplan.web.api import feeds, health, packets, plan, reports, tasks, units

ROUTERS = (
    health.router,
    plan.router,
    units.router,
    feeds.router,
    reports.router,
    tasks.router,
    packets.router,
)
