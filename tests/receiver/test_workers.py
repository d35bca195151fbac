"""`dxplan serve --workers 2` as an IT officer starts it: two server processes on one
port, one store, one bucket per sender, one board.

A receiver of the national test plan with a bucket of 10 packets filling at 6 a minute.
Ha Noi sends 30 packets one after the other, each on a new connection (so the kernel
hands them to either worker): with one bucket shared through the store about 10 land
(plus one per 10 s of sending); with a bucket per process it would be about 20. Then the
last accepted figure is what readers see from both workers: Ha Noi's, and the country's
(its sum over the provinces).
"""

from __future__ import annotations

import math
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from dxplan.settings import Settings
from dxplan.store import receipts as receipt_store
from dxplan.store import values as value_store
from dxplan.workspace import Workspace
from tests.backup import world
from tests.faults.harness import serving
from tests.receiver.conftest import NATIONAL_TEST_PLAN, packet

BURST, RATE = 10, 6  # a packet every 10 s past the burst: per-process buckets would show
SENT = 30
TOKEN = ("tokens", "create", "--name", "ha-noi", "--scope", "packets:write", "--sender", "1")


def _workers(pid: int) -> list[int]:
    """The server's worker processes (uvicorn spawns them; not its resource tracker)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return [c for c in found if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_two_workers_share_the_bucket_and_the_board(tmp_path: Path) -> None:
    env = {
        "DXPLAN_DATA_DIR": str(tmp_path / "data"),
        "DXPLAN_PLAN_FILE": str(NATIONAL_TEST_PLAN),
        "DXPLAN_AS_OF": "2025-11-08",
        "DXPLAN_RECEIVE": "1",
        "DXPLAN_RECEIVE_BURST": str(BURST),
        "DXPLAN_RECEIVE_RATE_PER_MINUTE": str(RATE),
        "DXPLAN_BOARD_CHECK_SECONDS": "0",
    }
    full = {**os.environ, **env}
    subprocess.run([world.DXPLAN, "init"], env=full, check=True, capture_output=True)
    created = subprocess.run(
        [world.DXPLAN, *TOKEN],
        env=full,
        check=True,
        capture_output=True,
        text=True,
    )
    secret = created.stdout.strip()  # the secret alone on standard output
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    with serving(env, "--workers", "2") as server:
        workers = _workers(server.process.pid)
        assert len(workers) == 2
        before = [_cpu_ticks(w) for w in workers]
        answers: list[tuple[int, int]] = []
        started = time.monotonic()
        for number in range(1, SENT + 1):
            body = packet(
                f"hn-{number}",
                sender="1",
                items=[{"indicator": "GOV-20", "unit": "1", "value": number, "numerator": number}],
            )
            with httpx.Client(timeout=30) as client:  # a new connection each time
                response = client.post(
                    f"{server.url}/packets",
                    json=body,
                    headers={**headers, "Idempotency-Key": body["message_id"]},
                )
            answers.append((number, response.status_code))
        elapsed = time.monotonic() - started
        # both workers took packets: a bucket per process would have let about 20 through
        assert all(_cpu_ticks(w) > b for w, b in zip(workers, before, strict=True))
        accepted = [n for n, status in answers if status == 201]
        assert {status for _, status in answers} <= {201, 429}
        assert BURST <= len(accepted) <= BURST + math.ceil(elapsed * RATE / 60) + 1
        last = accepted[-1]
        seen = set()
        for _ in range(12):
            with httpx.Client(timeout=30) as client:
                page = client.get(f"{server.url}/api/dashboard/indicators/GOV-20?unit=1")
            assert page.status_code == 200
            seen.add(page.text)
    workspace = Workspace(Settings(data_dir=tmp_path / "data", plan_file=NATIONAL_TEST_PLAN))
    with workspace.engine.connect() as conn:
        stored = {
            (v.unit, v.source): v.value
            for v in value_store.latest(conn, measures=["open_datasets"])
        }
        receipts = receipt_store.listing(conn, "1")
    workspace.engine.dispose()
    assert stored == {("1", "received"): last, ("VN", "received-rollup"): last}
    assert sorted(r.message_id for r in receipts) == sorted(f"hn-{n}" for n in accepted)
    assert len(seen) == 1  # both workers serve the same board
