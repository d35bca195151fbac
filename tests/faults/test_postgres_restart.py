"""PostgreSQL stopped and started again under load: 503 while it is down, then it recovers.

The test runs a PostgreSQL cluster of its own (initdb in a temporary folder, another
port), so that stopping it disturbs no other test. A real `dxplan serve` process answers
readers and a reporter saving drafts the whole time; it is never restarted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.workspace import Workspace
from tests.faults.harness import free_port, serving

PG_BIN = Path(os.environ.get("DXPLAN_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
WARD = "31135"
DRAFT = f"/api/submissions/past-results/{WARD}/2025Q3"
READS = ("/api/health", "/api/units", "/api/overview")


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class Cluster:
    data: Path
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w"]
        subprocess.run(
            _as_postgres([*command, "-o", options, *args]), check=True, capture_output=True
        )


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not (PG_BIN / "initdb").exists():
        message = f"no PostgreSQL binaries in {PG_BIN} (DXPLAN_TEST_PG_BIN)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="dxplan-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    found = Cluster(folder / "data", free_port(), folder / "log")
    initdb = [str(PG_BIN / "initdb"), "-D", str(found.data), "-A", "trust", "-U", "postgres"]
    subprocess.run(_as_postgres([*initdb, "--no-sync"]), check=True, capture_output=True)
    found.ctl("start")
    try:
        yield found
    finally:
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(found.data), "-m", "immediate", "stop"]
            ),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Load:
    """Readers and a reporter hammering the server; every answer's status, by phase."""

    base: str
    token: str
    phase: str = "up"
    statuses: dict[str, list[int]] = field(default_factory=dict)
    saved: list[float] = field(default_factory=list)  # drafts the server acknowledged
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        number = 0.0
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop.is_set():
                for path in READS:
                    self._record(client.get(path))
                number += 1
                body = {"values": {"past_results_valid": 1000, "past_results_digitized": number}}
                response = client.put(DRAFT, json=body, headers=headers)
                self._record(response)
                if response.status_code == 200:
                    self.saved.append(number)
                self.stop.wait(0.02)

    def _record(self, response: httpx.Response) -> None:
        self.statuses.setdefault(self.phase, []).append(response.status_code)

    def wait_for(self, phase: str, status: int, count: int, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while self.statuses.get(phase, []).count(status) < count:
            assert time.monotonic() < deadline, f"no {count} x {status} while {phase}"
            time.sleep(0.05)


def test_the_server_answers_503_while_postgresql_is_down_and_recovers(
    cluster: Cluster, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=cluster.url)
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        with workspace.engine.begin() as conn:
            user = user_store.add(
                conn, "ward", role=Role.REPORTER, password="x" * 16, units=[WARD], actor="test"
            )
            token, _ = token_store.create(conn, "ward", [], "test", user_id=user.id)
    env = {"DXPLAN_DATA_DIR": str(settings.data_dir), "DXPLAN_DATABASE_URL": cluster.url}
    with serving(env) as server:
        load = Load(server.url, token)
        worker = threading.Thread(target=load.run)
        worker.start()
        try:
            load.wait_for("up", 200, 8)
            load.phase = "stopping"
            cluster.ctl("-m", "fast", "stop")
            load.phase = "down"
            load.wait_for("down", 503, 8)
            load.phase = "restarting"
            cluster.ctl("start")
            load.phase = "back"
            load.wait_for("back", 200, 8)
        finally:
            load.stop.set()
            worker.join()
        assert server.process.poll() is None  # the same process all along: no restart
        last = httpx.get(f"{server.url}{DRAFT}", headers={"Authorization": f"Bearer {token}"})
    summary = {
        phase: {s: found.count(s) for s in set(found)} for phase, found in load.statuses.items()
    }
    print(f"[faults] PostgreSQL stopped and started under load: statuses {summary}")
    for phase, found in load.statuses.items():
        assert set(found) <= {200, 503}, (phase, sorted(set(found)))
    assert set(load.statuses["down"]) == {503}
    # the last draft the server acknowledged is the one stored: no acknowledged write lost
    assert last.json()["values"]["past_results_digitized"] == load.saved[-1]
