"""Killing dxplan processes at random moments, and comparing stores by their exports.

A fault test copies a prepared data folder, runs a command in a process of its own,
sends it SIGKILL after a random delay, runs the same command again, and compares the
store's exports (`world.EXPORTS`) with those of a copy on which the command ran once,
undisturbed. The delays are drawn from a seeded generator: set DXPLAN_FAULT_SEED to
replay a failure (the seed is in every assertion message).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.backup import world

SEED = int(os.environ.get("DXPLAN_FAULT_SEED", str(time.time_ns() % 1_000_000)))
ATTEMPTS = int(os.environ.get("DXPLAN_FAULT_ATTEMPTS", "2"))  # more: a longer hunt


def rng(name: str) -> random.Random:
    """A generator of kill delays for one test, replayable with DXPLAN_FAULT_SEED."""
    return random.Random(f"{SEED}-{name}")


EXTRA = 4  # earlier kills tried when none of the ATTEMPTS landed while the command ran


def delays(
    draw: random.Random, duration: float, tally: Tally, *, low: float = 0.3
) -> Iterator[tuple[int, float]]:
    """(attempt, delay) pairs: ATTEMPTS delays over the run (from `low` of it to its end),
    then, while no kill has landed mid-run, up to EXTRA earlier ones. A killed run can be
    much quicker than the timed one (caches warm, a machine that was busy and is not),
    so every kill may otherwise come too late and the test would prove nothing (it
    asserts that one landed): the earlier ones fall within the quickest run seen, a run
    that finished before its kill being one that lasted less than that delay."""
    for attempt in range(ATTEMPTS):
        yield attempt, draw.uniform(low * duration, duration)
    for attempt in range(ATTEMPTS, ATTEMPTS + EXTRA):
        if tally.killed:
            return
        quickest = min([duration, *tally.finished])
        yield attempt, draw.uniform(0.1 * quickest, 0.6 * quickest)


@dataclass
class Tally:
    """What the kills hit: printed by each test (pytest -s) for the fault-run note."""

    command: str
    killed: list[float] = field(default_factory=list)  # delays (s) that hit a running process
    finished: list[float] = field(default_factory=list)  # delays after it had ended

    def report(self) -> str:
        hits = ", ".join(f"{d:.2f}" for d in self.killed) or "none"
        return (
            f"[faults] {self.command}: {len(self.killed) + len(self.finished)} kill points "
            f"(seed {SEED}); killed mid-run at {hits} s; {len(self.finished)} after the end; "
            "store equal to a clean run after the rerun: yes"
        )


def copy_store(template: Path, target: Path) -> dict[str, str]:
    """A copy of a data folder (SQLite store included) and the environment naming it."""
    shutil.copytree(template, target)
    return {"DXPLAN_DATA_DIR": str(target), "DXPLAN_DATABASE_URL": ""}


def timed(env: dict[str, str], *args: str) -> float:
    """Run `dxplan ARGS` to the end (it must succeed); its wall time in seconds."""
    start = time.monotonic()
    done = world.run(env, *args)
    assert done.returncode == 0, done.stderr.decode()
    return time.monotonic() - start


def kill_after(env: dict[str, str], delay: float, *args: str) -> bool:
    """Start `dxplan ARGS`, SIGKILL it after `delay` s; True if it was still running."""
    process = subprocess.Popen(
        [world.DXPLAN, *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def kill(self) -> None:
        # the whole session: worker processes of `--workers N` too, never orphans
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        self.kill()


def start_server(env: dict[str, str], *options: str) -> Server:
    """`dxplan serve [OPTIONS]` on a free port, once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [world.DXPLAN, "serve", "--port", str(port), *options],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: `kill` reaches its workers
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 180  # a loaded machine starts workers slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dxplan serve exited with {process.returncode}")
        try:
            if httpx.get(f"{server.url}/api/version", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.kill()
    raise RuntimeError("dxplan serve did not answer within three minutes")


@contextmanager
def serving(env: dict[str, str], *options: str) -> Iterator[Server]:
    server = start_server(env, *options)
    try:
        yield server
    finally:
        server.stop()
