"""Server-rendered pages; each has a JSON twin computed by the same call."""

from dxplan.web.pages import account, overview

ROUTERS = (overview.router, account.router)
