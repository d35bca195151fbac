"""The web app: JSON API and server-rendered pages over one workspace."""

from dxplan.web.app import create_app

__all__ = ["create_app"]
