"""Pages in the reader's language: Jinja2 templates with the formatter of `dxplan.i18n`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dxplan.i18n import LANGUAGE_NAMES, LANGUAGES, Formatter, formatter
from dxplan.web.assets import static_url, vendor_url
from dxplan.web.csrf import csrf_token

HERE: Final = Path(__file__).parent


class Renderer:
    """Renders templates for a request, in the language the reader chose."""

    def __init__(self, default_language: str = "vi") -> None:
        self.default_language = default_language
        self.environment = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # base.html links every page's stylesheets (the Bengali font's included) itself
        self.environment.globals.update(static_url=static_url, vendor_url=vendor_url)

    def language(self, request: Request) -> str:
        """`?lang=` if given, else the reader's earlier choice (cookie), else the default."""
        for candidate in (request.query_params.get("lang"), request.cookies.get("lang")):
            if candidate in LANGUAGES:
                return candidate
        return self.default_language

    def formatter(self, request: Request) -> Formatter:
        return formatter(self.language(request))

    def render(
        self, request: Request, template: str, context: dict[str, Any], status_code: int = 200
    ) -> HTMLResponse:
        fmt = self.formatter(request)
        html = self.environment.get_template(template).render(
            request=request,
            fmt=fmt,
            _=fmt.gettext,
            lang=fmt.language,
            languages=LANGUAGE_NAMES,
            user=getattr(request.state, "user", None),
            csrf_token=csrf_token(request) if "session" in request.scope else "",
            **context,
        )
        response = HTMLResponse(html, status_code=status_code)
        chosen = request.query_params.get("lang")
        if chosen in LANGUAGES:
            response.set_cookie("lang", chosen, max_age=365 * 86400, samesite="lax")
        return response
