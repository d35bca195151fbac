"""Deadline benchmark (issue 9): throughput of submissions and approvals when all write at once.

    .venv/bin/python bench/deadline.py [--reporters 100] [--approvers 25]
                                       [--backends sqlite,postgresql]

For each store (SQLite in a temporary folder; PostgreSQL in a fresh schema of
`DXPLAN_TEST_POSTGRES_URL`, default the local `test` database) the benchmark prepares
the shipped plan with one reporter per commune or ward and one coordinator, and runs
`dxplan serve` in a process of its own (one uvicorn worker). Then, against that server:

1. baseline: every reporter's draft saved one after another by one client (the cost of
   one write with nobody waiting), in saves per second;
2. the deadline: every reporter at the same moment saves, corrects and submits
   (three writes each); reports submitted per second and requests per second;
3. approvals: the coordinator approves the reports `--approvers` at a time; reports
   approved per second.

It prints one JSON line per store with the errors (any answer but 200) and each
throughput with its ratio to the baseline measured in the same run: a ratio near 1/3
for submissions means the writers queue without losing throughput to contention.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness lives in tests/

from tests.concurrency.harness import (
    prepare,
    report_url,
    run_deadline,
    serving,
    values_of,
)

from dxplan.settings import Settings

POSTGRES_URL = os.environ.get(
    "DXPLAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def _database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of an empty store on `backend`, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'store.sqlite3'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in POSTGRES_URL else "?"
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(backend: str, reporters: int, approvers: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="dxplan-deadline-") as tmp:
        folder = Path(tmp)
        with _database(backend, folder) as url:
            deadline = prepare(Settings(data_dir=folder / "data", database_url=url), reporters)
            with serving(deadline.settings) as base:
                errors = 0
                started = time.perf_counter()
                with httpx.Client(timeout=120) as client:
                    for unit in deadline.units:
                        saved = client.put(
                            report_url(base, unit),
                            json={"values": values_of(unit, 0)},
                            headers=deadline.reporters[unit],
                        )
                        errors += saved.status_code != 200
                sequential = reporters / (time.perf_counter() - started)
                outcome = run_deadline(base, deadline, approvers)
    submissions = reporters / outcome.seconds["report"]
    approvals = reporters / outcome.seconds["approve"]
    return {
        "backend": backend,
        "reporters": reporters,
        "approvers": approvers,
        "errors": errors + outcome.errors(),
        "baseline_sequential_saves_per_s": round(sequential, 1),
        "submissions_per_s": round(submissions, 1),
        "deadline_requests_per_s": round(3 * reporters / outcome.seconds["report"], 1),
        "approvals_per_s": round(approvals, 1),
        "submissions_ratio": round(submissions / sequential, 3),
        "deadline_requests_ratio": round(3 * submissions / sequential, 3),
        "approvals_ratio": round(approvals / sequential, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=100)
    parser.add_argument("--approvers", type=int, default=25)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        print(json.dumps(run(backend, args.reporters, args.approvers)), flush=True)


if __name__ == "__main__":
    main()
