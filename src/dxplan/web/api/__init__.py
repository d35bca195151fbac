"""JSON API: one router per resource."""

from dxplan.web.api import health, plan, units

ROUTERS = (health.router, plan.router, units.router)
