"""A stand-in for the national reporting system: a real HTTP server on 127.0.0.1.

It keeps what a receiver keeps: every message id it accepted (its dedup), answering 201
the first time and 409 after. Faults are scripted per request, in order:

- "500": answers 500 without keeping the packet;
- "close": closes the connection without an answer;
- "timeout": keeps the packet and answers only when that packet comes again (the
  client gave up and retried; at most `slow_seconds`): the retry gets a 409;
- "garbage": keeps the packet and answers 200 with a body that is not JSON;
- "400": refuses the packet with a JSON message;
- "hold": keeps the packet, sets `held`, and waits for `release` before answering;
- "huge": answers 503 with 8 MiB of text.

`stop()` and `start()` again on the same port stand for a restart; what it kept stays.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    """One request as it arrived."""

    headers: dict[str, str]
    body: Any
    raw: bytes
    fault: str | None


@dataclass
class Receiver:
    slow_seconds: float = 60.0
    faults: list[str] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    kept: Counter[str] = field(default_factory=Counter)  # message id → times kept (must be 1)
    duplicates: Counter[str] = field(default_factory=Counter)  # answered 409
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    retried: threading.Event = field(default_factory=threading.Event)  # a duplicate came
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                receiver.handle(self)

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

    def bodies(self) -> list[Any]:
        return [r.body for r in self.requests]

    def _keep(self, message_id: str) -> bool:
        """Keep the message id; False when it was kept before (a duplicate)."""
        with self._lock:
            if self.kept[message_id]:
                self.duplicates[message_id] += 1
                self.retried.set()
                return False
            self.kept[message_id] += 1
            return True

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length", "0"))
        raw = request.rfile.read(length)
        with self._lock:
            fault = self.faults.pop(0) if self.faults else None
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self.requests.append(Received(dict(request.headers.items()), body, raw, fault))
        message_id = request.headers.get("Idempotency-Key", "")
        if request.path != "/packets" or not message_id:
            self._answer(request, 404, {"detail": "not here"})
        elif fault == "500":
            self._answer(request, 500, {"detail": "internal error"})
        elif fault == "close":
            request.close_connection = True
            request.connection.close()
        elif fault == "huge":
            self._answer_raw(request, 503, b"overloaded " * (800 * 1024))
        elif fault == "400":
            self._answer(request, 400, {"detail": "unknown indicator code"})
        elif not self._keep(message_id):
            self._answer(request, 409, {"detail": "duplicate message"})
        elif fault == "timeout":
            # answered only once the client has given up and sent the packet again
            self.retried.wait(self.slow_seconds)
            self._answer(request, 201, {"status": "received"})
        elif fault == "garbage":
            self._answer_raw(request, 200, b"<html>ok?</html")
        elif fault == "hold":
            self.held.set()
            self.release.wait(60)
            self._answer(request, 201, {"status": "received"})
        else:
            self._answer(request, 201, {"status": "received", "message_id": message_id})

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        Receiver._answer_raw(request, status, json.dumps(body).encode("utf-8"))

    @staticmethod
    def _answer_raw(request: BaseHTTPRequestHandler, status: int, data: bytes) -> None:
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except OSError:  # the client is gone (killed, or gave up waiting)
            pass
