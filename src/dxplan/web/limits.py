"""Limits on what a request may send, enforced before anything reads or parses it.

A pure ASGI middleware, outside sessions, authentication and routing, so that an
anonymous client cannot make the server hold or parse a large body before its 401:

- the body's size, per kind of route (a JSON API write or a form: small; an Excel
  upload: larger; a dossier or catalog feed: largest), read from the settings. A
  declared Content-Length over the limit is answered 413 at once, before the body is
  read; a body without one (chunked) is counted as it streams and refused at the byte
  that crosses the limit;
- a JSON API body must be JSON that every later step can handle: nested no deeper than
  `max_json_depth`, text that is valid Unicode (no lone surrogates, which JSON escapes
  can spell but UTF-8 cannot carry), integers Python can read. Anything else is a 400
  naming the problem, never the input itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dxplan.i18n import LANGUAGES, formatter
from dxplan.settings import Settings


def _(message: str) -> str:
    """Marks a message for the gettext catalogs; it is translated when sent."""
    return message


@dataclass(frozen=True)
class RouteClass:
    """A kind of route and the setting that holds the largest body it accepts."""

    name: str
    pattern: re.Pattern[str]
    setting: str
    json_checked: bool = False


# first match wins; the last entry takes every other route (the JSON API, forms, pages)
ROUTE_CLASSES: Final = (
    RouteClass("feed", re.compile(r"^/api/(dossiers|procedures)/?$"), "max_body_feed"),
    RouteClass("packets", re.compile(r"^/packets/?$"), "max_body_packets", json_checked=True),
    RouteClass("upload", re.compile(r"^/reports/[^/]+/[^/]+/[^/]+/upload/?$"), "max_body_upload"),
    RouteClass(
        "evidence",
        re.compile(r"^(/api)?/tasks/[^/]+/progress/?$"),
        "max_body_evidence",
        json_checked=True,  # a JSON progress report is checked; a multipart one counted
    ),
    RouteClass("api", re.compile(r"^/api/"), "max_body_json", json_checked=True),
    RouteClass("other", re.compile(r""), "max_body_json"),
)


def route_class(path: str) -> RouteClass:
    """The kind of route `path` belongs to."""
    return next(c for c in ROUTE_CLASSES if c.pattern.match(path))


class BodyTooLarge(Exception):
    """Raised inside `receive` when a streamed body crosses its limit."""


class UnsafeJson(ValueError):
    """A JSON body that later steps could not handle; the message names the problem."""


def check_json(body: bytes, max_depth: int) -> None:
    """Raise UnsafeJson unless `body` is JSON of at most `max_depth` levels, valid Unicode."""
    try:
        parsed = json.loads(body)
    except RecursionError:
        raise UnsafeJson(_("The JSON body is nested too deeply.")) from None
    except UnicodeDecodeError:
        raise UnsafeJson(_("The body is not UTF-8 text.")) from None
    except ValueError:
        # a JSON syntax error is FastAPI's to explain (422 with its position); an integer
        # of more than 4,300 digits is a ValueError too, but not a JSONDecodeError
        if _is_syntax_error(body):
            return
        raise UnsafeJson(_("The JSON body holds a number too long to read.")) from None
    _walk(parsed, max_depth)


def _is_syntax_error(body: bytes) -> bool:
    try:
        json.loads(body, parse_int=float)
    except json.JSONDecodeError:
        return True
    except (ValueError, RecursionError):
        return False
    return False


def _walk(value: Any, max_depth: int) -> None:
    """Depth first without recursion: the depth and every string (keys included)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > max_depth:
            raise UnsafeJson(_("The JSON body is nested too deeply."))
        if isinstance(item, dict):
            for key, inner in item.items():
                _check_text(key)
                stack.append((inner, depth + 1))
        else:
            stack.extend((inner, depth + 1) for inner in item)


def _check_text(text: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeJson(
            _("The JSON body holds text that is not valid Unicode (a lone surrogate).")
        ) from None


def _language(scope: Scope, default: str) -> str:
    """The reader's language as pages choose it: `?lang=`, the `lang` cookie, the default."""
    request = Request(scope)
    for candidate in (request.query_params.get("lang"), request.cookies.get("lang")):
        if candidate in LANGUAGES:
            return candidate
    return default


class BodyLimits:
    """The middleware: size limits per route class, and safe JSON for the API."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _refuse(
        self, scope: Scope, status: int, message: str, **params: Any
    ) -> Callable[[Receive, Send], Any]:
        gettext = formatter(_language(scope, self.settings.language or LANGUAGES[0])).gettext
        body = {"detail": gettext(message).format(**params)}
        response = JSONResponse(body, status_code=status, headers={"Connection": "close"})

        async def answer(receive: Receive, send: Send) -> None:
            await response(scope, receive, send)

        return answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind = route_class(scope["path"])
        limit: int = getattr(self.settings, kind.setting)
        too_large = _("The request body is larger than {limit} bytes, the most this address takes.")
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await self._refuse(scope, 400, _("The Content-Length header is not a number."))(
                    receive, send
                )
                return
            if int(declared) > limit:
                await self._refuse(scope, 413, too_large, limit=limit)(receive, send)
                return
        if kind.json_checked and _is_json(scope) and scope["method"] not in ("GET", "HEAD"):
            await self._checked_json(scope, receive, send, limit)
            return
        await self._counted(scope, receive, send, limit, too_large)

    async def _counted(
        self, scope: Scope, receive: Receive, send: Send, limit: int, too_large: str
    ) -> None:
        """Run the app with a `receive` that counts the body; 413 when it crosses `limit`."""
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the app made of the broken body, the answer is the 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watched_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(scope, 413, too_large, limit=limit)(receive, send)

    async def _checked_json(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Read the (small) body whole, check it, then hand the same bytes to the app."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                too_large = _(
                    "The request body is larger than {limit} bytes, the most this address takes."
                )
                await self._refuse(scope, 413, too_large, limit=limit)(receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body.strip():
            try:
                check_json(body, self.settings.max_json_depth)
            except UnsafeJson as error:
                await self._refuse(scope, 400, str(error))(receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _is_json(scope: Scope) -> bool:
    kind = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
    return kind in ("", "application/json") or kind.endswith("+json")
