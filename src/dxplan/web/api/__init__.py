"""JSON API: one router per resource."""

from dxplan.web.api import feeds, health, packets, plan, reports, units

ROUTERS = (
    health.router,
    plan.router,
    units.router,
    feeds.router,
    reports.router,
    packets.router,
)
