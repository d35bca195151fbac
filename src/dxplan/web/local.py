"""The app served by uvicorn on a free port of 127.0.0.1 in a thread, for as long as a
block runs: the national demo's receiver, and the browser tests' server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from dxplan.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve_locally(settings: Settings, *, start_seconds: float = 60) -> Iterator[str]:
    """The app over `settings` on a free local port while the block runs; its base URL.
    RuntimeError when it has not started within `start_seconds`."""
    import uvicorn  # the web stack loads only when serving

    from dxplan.web import create_app

    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_seconds
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
