"""Handler benchmark (issue 13): the processor time one request costs the server, in process.

    .venv/bin/python bench/handler.py --data-dir DIR [--src OTHER/src] [--rounds 3]

Why beside `bench/web.py`: on the shared 2-core machine the p95 under 50 clients moves
by 2× from one run to the next with the other sessions' load; the processor time a
request takes in the server process moves much less. Each tree (`--src`, e.g. `main`
from `git archive main src | tar -x -C /tmp/before`; and the installed package) runs
in a process of its own that builds the app over `DIR` (a `dxplan demo` folder, as of
2025-11-08), warms it up, then sends `--requests` GETs of each page straight to the
ASGI app (no socket, no load generator; a reader not signed in who accepts gzip, as
the wall screen) and measures the process's processor time per request, round by round
in alternation between the trees. The verdict is the ratio of each page to the trivial
endpoint `/api/version` in the same round: the share of a request that is the page's own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

PAGES = ("/api/version", "/", "/api/dashboard/overview")

CHILD = r"""
import asyncio, json, sys, time
from datetime import date
from dxplan.settings import Settings
from dxplan.web import create_app

app = create_app(Settings(data_dir=sys.argv[1], as_of=date(2025, 11, 8)))
requests, paths = int(sys.argv[2]), json.loads(sys.argv[3])

async def call(path):
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 80),
             "headers": [(b"host", b"127.0.0.1"), (b"accept-encoding", b"gzip")]}
    status = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])
    await app(scope, receive, send)
    assert status == [200], (path, status)

async def main():
    for path in paths:  # the boards and views are built before the clock
        for _ in range(50):
            await call(path)
    out = {}
    for path in paths:
        started = time.process_time()
        for _ in range(requests):
            await call(path)
        out[path] = (time.process_time() - started) / requests * 1000
    print(json.dumps(out))

asyncio.run(main())
"""


def _run(data_dir: Path, src: Path | None, requests: int) -> dict[str, float]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)  # ahead of the installed (editable) package
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir), str(requests), json.dumps(PAGES)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--src", type=Path, action="append", default=[])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    trees: list[Path | None] = [*args.src, None]
    ratios: dict[str, dict[str, list[float]]] = {}
    times: dict[str, dict[str, list[float]]] = {}
    for round_ in range(args.rounds):
        for tree in trees:
            name = str(tree or "installed")
            found = _run(args.data_dir, tree, args.requests)
            trivial = found[PAGES[0]]
            for path, ms in found.items():
                times.setdefault(name, {}).setdefault(path, []).append(ms)
                ratios.setdefault(name, {}).setdefault(path, []).append(ms / trivial)
            print(
                f"round {round_ + 1} load {os.getloadavg()[0]:.1f} {name:>24} "
                + " ".join(f"{p} {ms:.3f} ms" for p, ms in found.items()),
                flush=True,
            )
    print("\n| tree | path | processor ms a request (median) | ratio to /api/version (median) |")
    print("|---|---|---:|---:|")
    for name, paths in ratios.items():
        for path, values in paths.items():
            print(
                f"| {name} | `{path}` | {statistics.median(times[name][path]):.3f} "
                f"| {statistics.median(values):.2f} |"
            )


if __name__ == "__main__":
    main()
