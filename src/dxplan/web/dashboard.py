"""What every dashboard page shares: the board it reads, tiles, statuses, HTML or JSON.

A page is a function from a `Scope` (the cached board for the asked period and day,
the reader's language, whether they signed in) to a plain dict. The HTML page renders
that dict and its JSON twin returns it as it is: one call, so they never disagree.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Annotated, Any, Final, TypeVar
from urllib.parse import urlencode

from babel.dates import format_skeleton
from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from dxplan import policy
from dxplan.caching import BuildCache, Busy
from dxplan.domain.account import User
from dxplan.domain.indicator import Indicator, IndicatorKind
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import DEFAULT_CALENDAR, Calendar, Period
from dxplan.domain.plan import Plan
from dxplan.evaluate.dashboard import Board, Score
from dxplan.evaluate.evaluation import Evaluation, is_flow
from dxplan.evaluate.public import evaluation_json
from dxplan.evaluate.status import Status, status_labels
from dxplan.i18n import Formatter
from dxplan.web.assets import static_url, vendor_url
from dxplan.web.auth import CurrentUser, SignInRequired
from dxplan.web.dates import Dates
from dxplan.web.deps import RendererDep, WorkspaceDep
from dxplan.web.reach import reach, refusal
from dxplan.web.rendering import Renderer
from dxplan.web.sparkline import sparkline
from dxplan.workspace import Workspace

T = TypeVar("T")

# worst first: the order of the header strip and of "sort by status"
STATUS_ORDER: Final = (
    Status.OFF_TRACK,
    Status.NOT_ACHIEVED,
    Status.AT_RISK,
    Status.NO_DATA,
    Status.ON_TRACK,
    Status.ACHIEVED,
    Status.MONITORED,
)
# a shape for each status, so that colour is never the only sign
ICONS: Final = {
    Status.OFF_TRACK: "▼",
    Status.NOT_ACHIEVED: "✖",
    Status.AT_RISK: "◆",
    Status.NO_DATA: "○",
    Status.ON_TRACK: "▲",
    Status.ACHIEVED: "✔",
    Status.MONITORED: "●",
}


class BadQuery(Exception):
    """A query parameter that cannot be read: the page answers 400 with this message."""


class NotFound(Exception):
    """No such pillar, indicator or unit: 404."""


class Hidden(Exception):
    """A confidential indicator asked for without signing in."""


def parse_query(
    period: str | None, as_of: str | None, calendar: Calendar = DEFAULT_CALENDAR
) -> tuple[Period | None, date | None]:
    """`?period=2025Q3` (`FY2026Q1` in a fiscal plan) and `?as_of=2025-10-01`, or BadQuery
    saying what is wrong."""
    chosen, day = None, None
    if period:
        try:
            chosen = calendar.parse(period)
        except ValueError as error:
            raise BadQuery(f"period {error}") from None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise BadQuery(f"as_of {as_of!r} is not a day such as 2025-11-08") from None
    return chosen, day


def percent(fmt: Formatter, share: float | None) -> str:
    """A score of 0 to 1 as a percentage: `72,5%`."""
    return fmt.value(None if share is None else share * 100, IndicatorKind.RATIO)


@dataclass(frozen=True)
class Scope:
    """The board a page reads, for one reader."""

    board: Board
    fmt: Formatter
    reader: User | None  # None: not signed in (the wall screen)
    query: dict[str, str]  # the period and day asked for, carried into every link
    workspace: Workspace  # for what the board does not hold (late reports)

    @property
    def signed_in(self) -> bool:
        return self.reader is not None

    @property
    def clearance(self) -> frozenset[policy.Visibility]:
        """What the reader may see: the views of readers with the same clearance match."""
        return policy.clearance(self.reader)

    @cached_property
    def hidden(self) -> frozenset[str]:
        """The indicators this reader may not see: scores and rankings leave them out."""
        return frozenset(
            i.code for i in self.plan.indicators if not policy.sees_figure(self.reader, i)
        )

    def score(self, unit: str) -> Score:
        """The unit's scores over the indicators this reader may see."""
        return self.board.score(unit, self.hidden)

    def ranking(self, group: str) -> list[tuple[str, float, int]]:
        return self.board.ranking(group, self.hidden)

    def rank_of(self, unit: str) -> tuple[int, int] | None:
        return self.board.rank_of(unit, self.hidden)

    def score_note(self) -> dict[str, Any]:
        """What the scores cover: every indicator, or the public ones only."""
        public = bool(self.hidden)
        _ = self.fmt.gettext
        return {
            "covers": "public" if public else "all",
            "text": _("Scores cover the public indicators only: sign in to see them all.")
            if public
            else None,
        }

    @property
    def plan(self) -> Plan:
        return self.board.plan

    @property
    def organisation(self) -> Organisation:
        return self.board.organisation

    def visible(self, indicator: Indicator) -> bool:
        """Whether the reader may see `indicator`'s figures (the policy decides)."""
        return policy.sees_figure(self.reader, indicator)

    def hides_measure(self, measure: str) -> bool:
        """Whether a measure's values (in alerts) are hidden from this reader."""
        return measure in policy.hidden_measures(self.plan, self.reader)

    def link(self, path: str) -> str:
        return path + (f"?{urlencode(self.query)}" if self.query else "")

    def day(self, value: date) -> str:
        return Dates(self.fmt.language, self.plan.calendar.zone).day(value)

    def unit(self, code: str) -> dict[str, Any]:
        """A unit as pages show it: code, name in the reader's language, kind, link."""
        name, kind = code, None
        if code in self.organisation:
            found = self.organisation[code]
            name, kind = self.fmt.name(found.names), found.kind
        return {"code": code, "name": name, "kind": kind, "url": self.link(f"/units/{code}")}

    def header(self) -> dict[str, Any]:
        """What every page says at the top: the plan, the city, the period, the day."""
        return {
            "plan": {"code": self.plan.code, "name": self.fmt.name(self.plan.names)},
            "city": self.unit(self.board.root),
            "period": str(self.board.period),
            "as_of": self.board.as_of.isoformat(),
            "as_of_text": self.day(self.board.as_of),
            "periods": self.periods(),
            "query": self.query,
            "has_index": self.plan.index is not None,  # the index pages are in the menu
        }

    def periods(self) -> list[str]:
        """The periods the switch offers: the board's year, its halves and its quarters."""
        year, current = self.board.period.year_period(), str(self.board.period)
        halves = year.children()
        found = [str(p) for p in (year, *halves, *(q for h in halves for q in h.children()))]
        return found if current in found else [*found, current]

    def counts(self, evaluations: list[Evaluation]) -> list[dict[str, Any]]:
        """How many evaluations have each status, worst first (zeros included)."""
        labels = status_labels(self.fmt.gettext)
        return [
            {
                "status": s.value,
                "label": labels[s],
                "icon": ICONS[s],
                "count": sum(1 for e in evaluations if e.status is s),
            }
            for s in STATUS_ORDER
        ]

    def tile(self, e: Evaluation) -> dict[str, Any]:
        """One evaluation with its texts in the reader's language (the JSON fields and more)."""
        fmt, indicator = self.fmt, e.indicator
        deadline = min(e.period.last_day, e.target.deadline) if e.target else None
        return {
            **evaluation_json(e),
            "name": fmt.name(indicator.names),
            "url": self.link(f"/indicators/{indicator.code}"),
            "kind": indicator.kind.value,
            "direction": indicator.direction.value,
            "value_text": fmt.value(e.value, indicator.kind),
            "target_text": fmt.target(e.target, indicator.kind),
            "status_label": status_labels(self.fmt.gettext)[e.status],
            "status_icon": ICONS[e.status],
            "latest_period": str(e.series[-1][0]) if e.series else None,
            "series": [[str(p), v] for p, v in e.series],
            "deadline": deadline.isoformat() if deadline else None,
            "projection_text": self._projection(e, deadline),
            "pace_text": self._pace(e),
            "attainment_text": percent(fmt, e.attainment) if e.attainment is not None else None,
        }

    def _projection(self, e: Evaluation, deadline: date | None) -> str | None:
        """`→ 72% [70–74%] by 31/12`: whole numbers fit a tile, unless rounding would
        put the value on the other side of the target (then one decimal)."""
        if e.projection is None or deadline is None or e.target is None:
            return None
        kind, fmt, target, p = e.indicator.kind, self.fmt, e.target, e.projection
        digits = 0 if target.is_met(round(p.value)) == target.is_met(p.value) else 1
        value, high = fmt.value(p.value, kind, digits), fmt.value(p.high, kind, digits)
        low = fmt.number(p.low, digits)
        day = format_skeleton("dM", deadline, locale=fmt.language)
        _ = self.fmt.gettext
        if fmt.value(p.low, kind, digits) == high:  # a known value, or a narrow interval
            return _("→ %(value)s by %(day)s") % {"value": value, "day": day}
        return _("→ %(value)s [%(low)s–%(high)s] by %(day)s") % {
            "value": value,
            "low": low,
            "high": high,
            "day": day,
        }

    def _pace(self, e: Evaluation) -> str | None:
        pace, indicator, _ = e.required_monthly_pace, e.indicator, self.fmt.gettext
        if pace is None:
            return None
        if indicator.kind is IndicatorKind.RATIO and is_flow(indicator, self.plan):
            if pace > 100:  # the months left cannot make up for the months gone
                return _("out of reach this year")
            return _("needs %(pace)s in each month left") % {
                "pace": self.fmt.value(pace, indicator.kind)
            }
        signed = ("+" if pace > 0 else "−") + self.fmt.number(abs(pace), 1)
        if indicator.kind is IndicatorKind.RATIO:
            return _("needs %(pace)s points a month") % {"pace": signed}
        return _("needs %(pace)s a month") % {"pace": signed}


class Shared:
    """A page's bytes served to every reader not signed in, and their gzip (made once,
    when first asked: most readers accept it)."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    @cached_property
    def gzipped(self) -> bytes:
        return gzip.compress(self.raw, compresslevel=9, mtime=0)


MAX_VIEWS: Final = 256  # page views kept (pages × queries × languages × reader kinds)
# (board, state, view): a view is served while its board is the current one and the
# state it was built on (what a page reads besides the board) has not changed
_VIEWS: BuildCache[tuple[Any, ...], tuple[Board, Hashable, Any]] = BuildCache(MAX_VIEWS)
BUSY_SECONDS: Final = 5  # Retry-After when too many requests wait for boards


@dataclass
class Dashboard:
    """A dashboard request: renders a page function as HTML or as its JSON twin."""

    request: Request
    workspace: Workspace
    renderer: Renderer
    user: User | None
    period: str | None
    as_of: str | None

    def scope(self) -> Scope | None:
        """The board for the asked period and day (BadQuery), or None before `init`.

        A period or day the reader may not ask for (`web/reach.py`) is refused before
        any board is built: each one asked for would make a board of its own.
        """
        public = self.user is None  # may be served a board a second old (`board`)
        marks = self.workspace.marks(recent=public)
        calendar = marks[2].calendar if marks is not None else DEFAULT_CALENDAR
        period, day = parse_query(self.period, self.as_of, calendar)
        fmt = self.renderer.formatter(self.request)
        plan = marks[2] if marks is not None and (period is not None or day is not None) else None
        if plan is not None:
            today = self.workspace.settings.as_of or calendar.now().date()
            allowed = reach(plan, today, signed_in=not public)
            message = refusal(fmt, allowed, period, day)
            if message is not None:
                raise BadQuery(message)
        board = self.workspace.board(period, day, stale=public)
        if board is None:
            return None
        query = {k: v for k, v in (("period", self.period), ("as_of", self.as_of)) if v}
        return Scope(board, fmt, self.user, query, self.workspace)

    async def soon(self, answer: Callable[[], Response]) -> Response:
        """`answer()` on the event loop when it needs neither the database nor a build
        (a reader not signed in, a board at hand: `Workspace.board_at_hand`), else in a
        worker thread. Only for answers whose views read nothing but the board: the
        bytes are kept once made, and the trip through the thread pool was a third of
        what such a request cost (docs/decisions/0027-board-rebuild.md)."""
        if not self._shared():
            return await run_in_threadpool(answer)
        if self._at_hand():
            return answer()

        def checked() -> Response:
            # the store's state is due a check: made here, in the thread, so that the
            # readers after this one find the board at hand
            if self.workspace.plan_at_hand() is None:
                self.workspace.marks()
            return answer()

        return await run_in_threadpool(checked)

    def _at_hand(self) -> bool:
        """Whether the asked board is in memory (a query that cannot be read: answered
        in a thread, where it is refused)."""
        plan = self.workspace.plan_at_hand()
        if plan is None:
            return False
        try:
            period, day = parse_query(self.period, self.as_of, plan.calendar)
        except BadQuery:
            return False
        return self.workspace.board_at_hand(period, day)

    def view(self, scope: Scope, build: Callable[[Scope], T], state: Hashable = None) -> T:
        """`build(scope)`, computed once per board, page, query, language and reader kind.

        A board changes only when a figure does; until then a wall screen refreshing
        the same page costs a lookup and a template, not a walk through the board.
        `state` is what the view reads besides the board (the reports, for the late
        ones on /alerts): a view built on another state is built again.
        """
        board = scope.board
        found = _VIEWS.get(
            ("view", *self._key(scope)),
            lambda: (board, state, build(scope)),
            fresh=lambda entry: entry[0] is board and entry[1] == state,
        )
        return found[2]  # type: ignore[no-any-return]

    def page(
        self,
        template: str,
        build: Callable[[Scope], dict[str, Any]],
        twin: str,
        state: Callable[[Scope], Hashable] | None = None,
        personal: Callable[[Scope], dict[str, Any]] | None = None,
    ) -> Response:
        """The page: 400 for a bad query, 404, sign-in for a confidential indicator,
        503 while too many requests wait for boards (`state`: see `view`).

        `personal`: what the page adds for this reader, never cached (the tasks a
        signed-in reader may read); a page that adds something is not shared either."""
        render = self.renderer.render
        try:
            scope = self.scope()
            if scope is None:
                return render(self.request, "empty.html", {}, status_code=503)
            current = state(scope) if state is not None else None
            view = self.view(scope, build, current)
            added = personal(scope) if personal is not None else {}
        except Busy:
            context = {"message": self._busy(), "status": 503}
            busy = render(self.request, "dashboard_error.html", context, status_code=503)
            busy.headers["Retry-After"] = str(BUSY_SECONDS)
            return busy
        except BadQuery as error:
            context = {"message": str(error), "status": 400}
            return render(self.request, "dashboard_error.html", context, status_code=400)
        except NotFound as error:
            context = {"message": str(error), "status": 404}
            return render(self.request, "dashboard_error.html", context, status_code=404)
        except Hidden:
            raise SignInRequired(self.request.url.path) from None
        # a reader who is not signed in (the wall screen) gets the same bytes until the
        # board changes: no per-person content, no form, no cookie to set
        shared = self._shared() and not added
        view = {**view, **added}
        assets = tuple(vendor_url(k) for k in ("echarts", "htmx", "bengali"))
        key = ("page", *self._key(scope), assets)
        if shared:
            found = _VIEWS.peek(key, lambda e: e[0] is scope.board and e[1] == current)
            if found is not None:
                return self._bytes(found[2], "text/html; charset=utf-8")
        context = {
            "view": view,
            "twin": scope.link(twin),
            "spark": sparkline,
            "assets": {key: vendor_url(key) for key in ("echarts", "htmx", "bengali")},
            "static_url": static_url,
        }
        response = render(self.request, template, context)
        if shared and response.status_code == 200:
            _VIEWS.put(key, (scope.board, current, Shared(bytes(response.body))))
        return response

    def _shared(self) -> bool:
        """Whether the answer is the same for every reader: not signed in, no `?lang=`
        (which sets a cookie)."""
        return self.user is None and "lang" not in self.request.query_params

    def _bytes(self, found: Shared, media_type: str) -> Response:
        """Kept bytes, compressed once for the readers who accept gzip (most)."""
        if "gzip" in self.request.headers.get("accept-encoding", ""):
            headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            return Response(found.gzipped, media_type=media_type, headers=headers)
        return Response(found.raw, media_type=media_type)

    def _key(self, scope: Scope) -> tuple[Any, ...]:
        query = tuple(sorted(self.request.query_params.multi_items()))
        return (self.request.url.path, query, scope.fmt.language, scope.clearance)

    def _busy(self) -> str:
        _ = self.renderer.formatter(self.request).gettext
        return _("The dashboard is busy preparing other views: try again in a few seconds.")

    def json(
        self,
        build: Callable[[Scope], dict[str, Any]],
        state: Callable[[Scope], Hashable] | None = None,
        personal: Callable[[Scope], dict[str, Any]] | None = None,
    ) -> Response:
        """The JSON twin: the very dict the page renders (`personal`: see `page`)."""
        if personal is None:
            return self.answer(build, JSONResponse, state)
        return self.answer(build, JSONResponse, state, personal)

    def answer(
        self,
        build: Callable[[Scope], T],
        respond: Callable[[T], Response],
        state: Callable[[Scope], Hashable] | None = None,
        personal: Callable[[Scope], dict[str, Any]] | None = None,
    ) -> Response:
        """`build`'s result turned into a response; errors as JSON (400, 401, 404, 503).
        `personal` (for a dict result): what is added for this reader, never cached."""
        try:
            scope = self.scope()
            if scope is None:
                detail = "The store holds no plan yet: run `dxplan init` (or `dxplan demo`)."
                return JSONResponse({"detail": detail}, status_code=503)
            current = state(scope) if state is not None else None
            added = personal(scope) if personal is not None else {}
            if added or respond is not JSONResponse or not self._shared():
                found = self.view(scope, build, current)
                if added:
                    found = {**found, **added}  # type: ignore[dict-item,assignment]
                return respond(found)
            # the JSON of readers not signed in: the same bytes until the board changes
            key = ("json", *self._key(scope))
            kept = _VIEWS.peek(key, lambda e: e[0] is scope.board and e[1] == current)
            if kept is None:
                body = JSONResponse(self.view(scope, build, current)).body
                kept = (scope.board, current, Shared(bytes(body)))
                _VIEWS.put(key, kept)
            return self._bytes(kept[2], "application/json")
        except Busy:
            headers = {"Retry-After": str(BUSY_SECONDS)}
            return JSONResponse({"detail": self._busy()}, status_code=503, headers=headers)
        except BadQuery as error:
            return JSONResponse({"detail": str(error)}, status_code=400)
        except NotFound as error:
            return JSONResponse({"detail": str(error)}, status_code=404)
        except Hidden:
            detail = "Sign in to see a confidential indicator."
            return JSONResponse({"detail": detail}, status_code=401)


async def get_dashboard(  # no I/O: no worker thread
    request: Request,
    workspace: WorkspaceDep,
    renderer: RendererDep,
    user: CurrentUser,
    period: Annotated[
        str | None, Query(description="A period such as 2025, 2025S1, 2025Q3 or 2025-07.")
    ] = None,
    as_of: Annotated[
        str | None, Query(description="Evaluate as of this day (YYYY-MM-DD); default: today.")
    ] = None,
) -> Dashboard:
    return Dashboard(request, workspace, renderer, user, period, as_of)


DashboardDep = Annotated[Dashboard, Depends(get_dashboard)]
