"""The server killed (SIGKILL) in the middle of a request: an approval, a dossier batch.

A real `dxplan serve` process gets the request over HTTP; after a random delay within
the time the same request took on an undisturbed copy, the process is killed. A new
server then finishes the work as a client would (approve again if the report still
awaits approval; send the same batch again), and the store must answer every export
as the undisturbed copy does.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import httpx
import pytest

from tests.backup import world
from tests.faults.conftest import WAITING, Template
from tests.faults.harness import (
    Server,
    Tally,
    copy_store,
    delays,
    rng,
    serving,
    start_server,
)

APPROVE = f"/api/submissions/past-results/{WAITING}/2025Q3"

Send = Callable[[Server], httpx.Response]


def _killed_mid_request(
    template: Template, tmp_path: Path, name: str, send: Send, finish: Send
) -> Tally:
    clean = copy_store(template.data, tmp_path / "clean")
    untouched = world.exports(clean)
    with serving(clean) as server:
        start = time.monotonic()
        response = send(server)
        duration = time.monotonic() - start
        assert response.status_code == 200, response.text
    reference = world.exports(clean)
    assert reference != untouched, f"{name} changed nothing: the test would prove nothing"
    tally, draw = Tally(name), rng(name)
    for attempt, delay in delays(draw, duration, tally, low=0):
        env = copy_store(template.data, tmp_path / f"killed-{attempt}")
        server = start_server(env)
        answered: list[httpx.Response] = []

        def request(server: Server = server, answered: list[httpx.Response] = answered) -> None:
            with contextlib.suppress(httpx.HTTPError):  # the server died under the request
                answered.append(send(server))

        sender = threading.Thread(target=request)
        sender.start()
        time.sleep(delay)
        server.kill()
        sender.join()
        (tally.finished if answered else tally.killed).append(delay)
        with serving(env) as again:
            done = finish(again)
            assert done.status_code == 200, f"after a kill at {delay:.2f} s: {done.text}"
        found = world.exports(env)
        for command, output in reference.items():
            assert found[command] == output, f"{command} after a kill at {delay:.2f} s"
    print(tally.report())
    return tally


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_approval_killed_in_the_server_then_done_again_equals_a_clean_one(
    template: Template, tmp_path: Path
) -> None:
    def approve(server: Server) -> httpx.Response:
        url = f"{server.url}{APPROVE}/approve"
        return httpx.post(url, headers=_headers(template.coordinator), timeout=60)

    def finish(server: Server) -> httpx.Response:
        """What a coordinator does next: approve again if it still awaits approval."""
        url = f"{server.url}{APPROVE}"
        report = httpx.get(url, headers=_headers(template.coordinator), timeout=60)
        assert report.json()["status"] in ("submitted", "approved"), report.text
        return approve(server) if report.json()["status"] == "submitted" else report

    _killed_mid_request(template, tmp_path, "approval (POST .../approve)", approve, finish)


@pytest.fixture
def batch(template: Template, tmp_path: Path) -> bytes:
    """Three months of the fresh feed as JSON Lines, as a one-stop system sends them."""
    target = tmp_path / "batch.jsonl"
    months = ", ".join(f"'{path}'" for path in template.feed[6:9])
    duckdb.sql(f"COPY (SELECT * FROM read_parquet([{months}])) TO '{target}' (FORMAT JSON)")
    return target.read_bytes()


def test_a_dossier_batch_killed_in_the_server_then_sent_again_equals_a_clean_one(
    template: Template, tmp_path: Path, batch: bytes
) -> None:
    def send(server: Server) -> httpx.Response:
        return httpx.post(
            f"{server.url}/api/dossiers",
            content=batch,
            headers={**_headers(template.source), "Content-Type": "application/x-ndjson"},
            timeout=60,
        )

    assert batch.count(b"\n") > 1000
    _killed_mid_request(template, tmp_path, "dossier batch (POST /api/dossiers)", send, send)
