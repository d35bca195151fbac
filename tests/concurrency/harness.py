"""The reporting deadline over real HTTP: many reporters and a coordinator at once.

Shared by tests/concurrency and bench/deadline.py. A store is prepared with the
shipped plan, one reporter (and a personal token) per commune or ward and one
coordinator; `dxplan serve` runs it in a process of its own on a free loopback port
(one uvicorn worker, as in production); a thread pool of httpx clients then plays
the deadline: each reporter saves a draft, corrects it, and submits; the coordinator
approves the submitted reports, `approvers` at a time.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import httpx
from argon2 import PasswordHasher

from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.workspace import Workspace

DATASET = "past-results"  # reported by every commune and ward, per quarter
PERIOD = "2025Q3"  # due on 10 October 2025
MONTH = "2025-09"  # the month its period ends: where GOV-08 counts it
AS_OF = date(2025, 10, 8)  # two days before the deadline: every submission is on time
CITY = "92"
PASSWORD = "deadline-password-2025"


def values_of(unit: str, round_: int) -> dict[str, int]:
    """The values a unit's reporter enters in a round (the last round is the one kept)."""
    seed = int(unit) % 1000
    return {"past_results_valid": 500 + seed + round_, "past_results_digitized": 300 + seed}


@dataclass
class Outcome:
    """What the clients saw: status codes per step, and the failures' bodies."""

    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def note(self, step: str, response: httpx.Response) -> None:
        self.statuses[(step, response.status_code)] += 1
        if response.status_code != 200:
            self.failures.append(f"{step} {response.status_code} {response.text[:200]}")

    def errors(self, step: str | None = None) -> int:
        """Answers other than 200 (of one step, or of all)."""
        return sum(n for (s, code), n in self.statuses.items() if code != 200 and step in (None, s))

    def count(self, step: str, code: int) -> int:
        return self.statuses[(step, code)]


@dataclass(frozen=True)
class Deadline:
    """A prepared store: the settings, the reporters' units and everyone's bearer headers."""

    settings: Settings
    units: list[str]
    reporters: dict[str, dict[str, str]]  # unit -> headers
    coordinator: dict[str, str]


def prepare(settings: Settings, reporters: int) -> Deadline:
    """Initialise the store and add `reporters` reporters (one per commune or ward)."""
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        plan, organisation = workspace.plan(), workspace.organisation()
        assert plan is not None and organisation is not None
        dataset = plan.dataset(DATASET)
        assert dataset is not None
        units = [u.code for u in dataset.reporting_units(organisation)][:reporters]
        assert len(units) == reporters, f"only {len(units)} units report {DATASET}"
        # tokens sign these people in: a cheap hash keeps 100 accounts fast to create
        hasher, user_store._hasher = user_store._hasher, PasswordHasher(1, 8, 1)
        try:
            with workspace.engine.begin() as conn:
                headers: dict[str, dict[str, str]] = {}
                for unit in units:
                    user = user_store.add(
                        conn,
                        f"r-{unit}",
                        role=Role.REPORTER,
                        password=PASSWORD,
                        units=[unit],
                        actor="test",
                    )
                    secret, _ = token_store.create(conn, f"r-{unit}", [], "test", user_id=user.id)
                    headers[unit] = {"Authorization": f"Bearer {secret}"}
                boss = user_store.add(
                    conn,
                    "coordinator",
                    role=Role.COORDINATOR,
                    password=PASSWORD,
                    units=[],
                    actor="test",
                )
                secret, _ = token_store.create(conn, "coordinator", [], "test", user_id=boss.id)
        finally:
            user_store._hasher = hasher
    return Deadline(settings, units, headers, {"Authorization": f"Bearer {secret}"})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXPLAN_")}
    env.update(
        DXPLAN_DATA_DIR=str(settings.data_dir),
        DXPLAN_DATABASE_URL=settings.database,
        DXPLAN_AS_OF=AS_OF.isoformat(),
        DXPLAN_SECRET_KEY="a-test-secret-that-is-long-enough-for-anyone-0123456789",
    )
    return env


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """`dxplan serve` on a free loopback port, in its own process; yields its base URL."""
    port = _free_port()
    command = [sys.executable, "-m", "dxplan", "serve", "--host", "127.0.0.1", "--port", str(port)]
    # the server's log goes to a file: an unread pipe would fill up and stall the server
    log = settings.data_dir.parent / f"server-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        server = subprocess.Popen(command, env=server_env(settings), stdout=sink, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/version", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                text = log.read_text("utf-8", "replace")[-2000:]
                raise RuntimeError(f"the server did not start: {text}")
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def report_url(base: str, unit: str) -> str:
    return f"{base}/api/submissions/{DATASET}/{unit}/{PERIOD}"


def _in_parallel(jobs: list[Callable[[], None]], workers: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    return time.perf_counter() - started


def report(base: str, deadline: Deadline, outcome: Outcome, unit: str) -> None:
    """One reporter: save a draft, save the corrected values over it, submit."""
    url = report_url(base, unit)
    with httpx.Client(headers=deadline.reporters[unit], timeout=120) as client:
        version = None
        for round_ in (0, 1):
            body = {"values": values_of(unit, round_), "version": version}
            saved = client.put(url, json=body)
            outcome.note("save", saved)
            if saved.status_code != 200:
                return
            version = saved.json()["version"]
        outcome.note("submit", client.post(f"{url}/submit", json={"version": version}))


def approve(base: str, deadline: Deadline, outcome: Outcome, unit: str) -> None:
    with httpx.Client(headers=deadline.coordinator, timeout=120) as client:
        outcome.note("approve", client.post(f"{report_url(base, unit)}/approve"))


def run_deadline(base: str, deadline: Deadline, approvers: int = 25) -> Outcome:
    """Every reporter at once, then the coordinator `approvers` reports at a time."""
    outcome = Outcome()
    jobs = [lambda u=u: report(base, deadline, outcome, u) for u in deadline.units]
    outcome.seconds["report"] = _in_parallel(jobs, len(jobs))
    submitted = [u for u in deadline.units if _status(base, deadline, u) == "submitted"]
    jobs = [lambda u=u: approve(base, deadline, outcome, u) for u in submitted]
    outcome.seconds["approve"] = _in_parallel(jobs, approvers)
    return outcome


def _status(base: str, deadline: Deadline, unit: str) -> str:
    response = httpx.get(report_url(base, unit), headers=deadline.coordinator, timeout=60)
    status: str = response.json()["status"]
    return status
