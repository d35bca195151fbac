"""Security headers on every response, private caching for signed-in readers, Secure cookies.

A pure ASGI middleware, the outermost one, so that refusals (413, 400) carry the
headers too:

- a Content Security Policy without inline scripts: pages load scripts and styles
  from dxplan's own address only (the JSON a chart reads sits in a non-executed
  `application/json` block); style attributes stay allowed (`style-src-attr`), since
  pages set one CSS variable that way and ECharts writes its tooltips with them.
  The API documentation pages (/docs, /redoc) come with an inline script of their
  own: theirs is allowed by its SHA-256 hash, computed from the page itself;
- `frame-ancestors 'none'` and `X-Frame-Options: DENY` (no framing: no clickjacking),
  `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`;
- `Cache-Control: no-store` on every answer to a signed-in reader or a bearer token,
  so that no shared cache nor the browser's back button keeps a person's page;
- over HTTPS (the request's scheme, `X-Forwarded-Proto` when `trust_proxy_headers`,
  or `secure_cookies`) every cookie is marked `Secure` and HSTS is sent.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from typing import Final

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dxplan.settings import Settings

CSP: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# the API documentation: its inline scripts by hash, its generated styles and worker
DOCS_CSP: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' {hashes}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
DOCS_PATHS: Final = re.compile(r"^/(docs|redoc)(/|$)")
_INLINE_SCRIPT: Final = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
HSTS: Final = "max-age=31536000"


def script_hashes(html: bytes) -> str:
    """The CSP sources allowing each inline `<script>` of `html`, by SHA-256."""
    digests = (hashlib.sha256(body).digest() for body in _INLINE_SCRIPT.findall(html))
    return " ".join(f"'sha256-{base64.b64encode(d).decode()}'" for d in digests)


class SecurityHeaders:
    """The middleware: see the module's docstring."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def https(self, scope: Scope) -> bool:
        """Whether the reader reached us over HTTPS (directly or through a trusted proxy)."""
        if self.settings.secure_cookies or scope.get("scheme") == "https":
            return True
        if self.settings.trust_proxy_headers:
            forwarded = Headers(scope=scope).get("x-forwarded-proto", "")
            return forwarded.split(",")[0].strip().lower() == "https"
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = self.https(scope)
        bearer = "authorization" in Headers(scope=scope)
        docs = DOCS_PATHS.match(scope["path"]) is not None
        held: list[Message] = []
        # the dict `request.state` writes into: set here so that every copy of the scope shares it
        state = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", CSP)
                if bearer or state.get("user") is not None:
                    headers["Cache-Control"] = "no-store"
                if secure:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                    _secure_cookies(headers)
                if docs:
                    held.append(message)
                    return
            elif docs and held:
                held.append(message)
                if message.get("more_body", False):
                    return
                await _send_docs(held, send)
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _send_docs(held: list[Message], send: Send) -> None:
    """Send a held documentation page with a CSP that allows its own inline scripts."""
    start, *parts = held
    html = b"".join(part.get("body", b"") for part in parts)
    headers = MutableHeaders(scope=start)
    text = gzip.decompress(html) if headers.get("content-encoding") == "gzip" else html
    headers["Content-Security-Policy"] = DOCS_CSP.format(hashes=script_hashes(text))
    await send(start)
    await send({"type": "http.response.body", "body": html, "more_body": False})


def _secure_cookies(headers: MutableHeaders) -> None:
    """Mark every cookie the response sets as Secure (once)."""
    cookies = headers.getlist("set-cookie")
    if not cookies:
        return
    del headers["set-cookie"]
    for cookie in cookies:
        if "secure" not in (part.strip().lower() for part in cookie.split(";")):
            cookie += "; Secure"
        headers.append("set-cookie", cookie)
