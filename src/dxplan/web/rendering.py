"""Pages in the reader's language: Jinja2 templates with the formatter of `dxplan.i18n`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dxplan.domain.period import DEFAULT_CALENDAR, Calendar
from dxplan.domain.plan import Plan
from dxplan.i18n import LANGUAGE_NAMES, LANGUAGES, Formatter, formatter
from dxplan.web.assets import static_url, vendor_url
from dxplan.web.csrf import csrf_token
from dxplan.web.dates import Dates

HERE: Final = Path(__file__).parent


def _no_plan() -> Plan | None:
    return None


class Renderer:
    """Renders templates for a request, in the language the reader chose among the plan's.

    `plan` gives the plan in force (None before `dxplan init`): its languages are the
    ones pages offer, the first being the default unless `default_language` is set.
    """

    def __init__(
        self,
        default_language: str | None = None,
        plan: Callable[[], Plan | None] = _no_plan,
    ) -> None:
        self._default_language = default_language
        self._plan = plan
        self.environment = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # base.html links every page's stylesheets (the Bengali font's included) itself
        self.environment.globals.update(static_url=static_url, vendor_url=vendor_url)

    def languages(self) -> list[str]:
        """The languages pages offer: the plan's, else every one dxplan speaks."""
        plan = self._plan()
        return list(plan.languages) if plan is not None else list(LANGUAGES)

    @property
    def default_language(self) -> str:
        """The configured language if the plan has it, else the plan's first."""
        offered = self.languages()
        given = self._default_language
        return given if given in offered else offered[0]

    def calendar(self) -> Calendar:
        """The plan's calendar (time zone, first month of the year)."""
        plan = self._plan()
        return plan.calendar if plan is not None else DEFAULT_CALENDAR

    def dates(self, request: Request) -> Dates:
        """Days and instants in the reader's language, instants on the plan's clock."""
        return Dates(self.language(request), self.calendar().zone)

    def language(self, request: Request) -> str:
        """`?lang=` if given, else the reader's earlier choice (cookie), else the default;
        only one of the plan's languages."""
        offered = self.languages()
        for candidate in (request.query_params.get("lang"), request.cookies.get("lang")):
            if candidate in offered:
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
            languages={code: LANGUAGE_NAMES[code] for code in self.languages()},
            user=getattr(request.state, "user", None),
            csrf_token=csrf_token(request) if "session" in request.scope else "",
            **context,
        )
        response = HTMLResponse(html, status_code=status_code)
        chosen = request.query_params.get("lang")
        if chosen in self.languages():
            response.set_cookie("lang", chosen, max_age=365 * 86400, samesite="lax")
        return response
