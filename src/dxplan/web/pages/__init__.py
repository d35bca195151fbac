"""Server-rendered pages; each has a JSON twin computed by the same call."""

from dxplan.web.pages import overview

ROUTERS = (overview.router,)
