"""Real servers on 127.0.0.1 for the notifications: an SMTP server and a webhook receiver.

`MailServer` is aiosmtpd's: it keeps each message by its Message-ID (a second copy of
one is counted in `duplicates`) and parses it with the standard `email` package.
`hold_at=N` makes it hold the N-th message without answering until `release` (the
message is not kept: a server keeps a message once it has said so).

`Hook` verifies each request's HMAC-SHA256 signature over the timestamp and the body,
with the secret the test gave dxplan, and keeps the JSON bodies.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MailServer:
    port: int = field(default_factory=free_port)
    messages: list[EmailMessage] = field(default_factory=list)
    kept: Counter[str] = field(default_factory=Counter)
    hold_at: int | None = None
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    arrived: int = 0
    _controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> MailServer:
        server = self

        class Handler:
            async def handle_DATA(  # noqa: N802 (aiosmtpd calls it by this name)
                self, _server: Any, _session: Any, envelope: Any
            ) -> str:
                server.arrived += 1
                if server.hold_at == server.arrived:
                    server.held.set()
                    await asyncio.get_running_loop().run_in_executor(None, server.release.wait, 120)
                    return "451 held"
                raw = envelope.original_content or envelope.content
                message = email.message_from_bytes(raw, policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                server.messages.append(message)
                server.kept[str(message["Message-ID"])] += 1
                return "250 Message accepted for delivery"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self.release.set()
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.kept.values())


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


@dataclass
class Hook:
    secret: bytes
    bodies: list[dict[str, Any]] = field(default_factory=list)
    forged: int = 0  # requests whose signature did not verify
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/dxplan"

    def start(self) -> Hook:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                timestamp = self.headers.get("X-Dxplan-Timestamp", "")
                given = self.headers.get("X-Dxplan-Signature", "")
                expected = (
                    "sha256="
                    + hmac.new(
                        hook.secret, timestamp.encode() + b"." + raw, hashlib.sha256
                    ).hexdigest()
                )
                if not hmac.compare_digest(given, expected):
                    hook.forged += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                hook.bodies.append(json.loads(raw))
                self.send_response(204)
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def to(self, key: str) -> list[dict[str, Any]]:
        return [b for b in self.bodies if b["recipient"]["key"] == key]
