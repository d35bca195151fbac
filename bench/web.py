"""Web benchmark (issue 5): the dashboard's latency under load, against a trivial endpoint.

    .venv/bin/python bench/web.py [--data-dir DIR] [--clients 50] [--requests 2000]

The app runs in its own process (uvicorn, one worker, as `dxplan serve` runs it) over
a workspace holding a full demo year: `--data-dir` names one made by `dxplan demo`;
without it, a demo is generated into a temporary folder (`--dossiers-per-year`).
The load comes from this process: `--clients` concurrent connections on loopback
(ApacheBench `ab` when installed — `apt-get install apache2-utils` — else httpx with
asyncio, which saturates near 200 requests a second here and then measures itself).

For each page the benchmark reports p50, p95 and p99 latency and the throughput, and
the same for `/api/version` (a trivial endpoint of the same app: no database, no
template) measured under the same load right before and after; the verdict is the
p95 in milliseconds (goal ≤ 100 ms) and its ratio to the trivial endpoint's p95. It
also reports the transferred weight of each page (gzip, as a browser asks), with and
without the assets a browser caches. The machine is shared and noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx

TRIVIAL = "/api/version"  # no database, no template: the floor of the same app
PAGES = ("/", "/api/dashboard/overview")
DEMO_AS_OF = date(2025, 11, 8)


@dataclass(frozen=True)
class Run:
    path: str
    latencies: list[float]  # seconds
    seconds: float
    errors: int

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index] * 1000

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "requests": len(self.latencies),
            "errors": self.errors,
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 2),
            "throughput_rps": round(len(self.latencies) / self.seconds, 1),
        }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(data_dir: Path | None, dossiers_per_year: int) -> Path:
    """A data folder with the demo loaded (generated when none is given)."""
    if data_dir is not None:
        return data_dir
    folder = Path(tempfile.mkdtemp(prefix="dxplan-bench-web-"))
    script = (
        "from dxplan.settings import Settings\n"
        "from dxplan.workspace import Workspace\n"
        "from dxplan.demo.load import load_demo\n"
        f"ws = Workspace(Settings(data_dir={str(folder)!r}))\n"
        "ws.initialise(actor='bench')\n"
        f"load_demo(ws, dossiers_per_year={dossiers_per_year})\n"
    )
    print(f"generating a demo ({dossiers_per_year:,} dossiers a year) in {folder} ...", flush=True)
    subprocess.run([sys.executable, "-c", script], check=True)
    return folder


def _serve(
    data_dir: Path, port: int, src: Path | None = None, workers: int = 1
) -> subprocess.Popen[bytes]:
    """The app in uvicorn processes of its own (`workers`, as `dxplan serve --workers`
    runs it); `src`: another source tree."""
    env = {
        **os.environ,
        "DXPLAN_DATA_DIR": str(data_dir),
        "DXPLAN_AS_OF": DEMO_AS_OF.isoformat(),
    }
    if src is not None:
        env["PYTHONPATH"] = str(src)  # ahead of the installed (editable) package
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "dxplan.web:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        *(["--workers", str(workers)] if workers > 1 else []),
    ]
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


async def _load(base: str, path: str, clients: int, requests: int) -> Run:
    """`requests` GETs of `path` from `clients` concurrent connections."""
    latencies: list[float] = []
    errors = 0
    remaining = requests
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                try:
                    response = await client.get(path, headers={"Accept-Encoding": "gzip"})
                    if response.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return Run(path, latencies, time.perf_counter() - started, errors)


def _load_ab(base: str, path: str, clients: int, requests: int) -> dict[str, Any]:
    """The same load from ApacheBench (`ab`, C): a load generator that is not the bottleneck."""
    out = subprocess.run(
        [
            "ab",
            "-q",
            "-c",
            str(clients),
            "-n",
            str(requests),
            "-H",
            "Accept-Encoding: gzip",
            base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, Any] = {"path": path, "requests": requests, "tool": "ab"}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Failed requests:"):
            found["errors"] = found.get("errors", 0) + int(parts[2])
        elif line.startswith("Non-2xx responses:"):  # 503 while boards build: errors too
            found["errors"] = found.get("errors", 0) + int(parts[2])
            found["non_2xx"] = int(parts[2])
        elif line.startswith("Requests per second:"):
            found["throughput_rps"] = float(parts[3])
        elif len(parts) == 2 and parts[0] in ("50%", "95%", "99%"):
            found[f"p{parts[0][:-1]}_ms"] = float(parts[1])
        elif parts[:1] == ["100%"]:
            found["max_ms"] = float(parts[1])
    return found


def _weight(base: str, path: str) -> dict[str, Any]:
    """Bytes on the wire for a page (gzip) and for the assets it links (cached later)."""
    with httpx.Client(base_url=base, headers={"Accept-Encoding": "gzip"}) as client:
        page = client.get(path)
        transferred = (
            len(page.content)
            if "gzip" not in page.headers.get("content-encoding", "")
            else _raw_length(client, path)
        )
        assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)))
        asset_bytes = sum(_raw_length(client, a) for a in assets)
    return {
        "path": path,
        "page_bytes_transferred": transferred,
        "assets": assets,
        "assets_bytes_transferred": asset_bytes,
    }


def _raw_length(client: httpx.Client, path: str) -> int:
    """The number of bytes actually sent (compressed when the server compresses)."""
    with client.stream("GET", path) as response:
        return sum(len(chunk) for chunk in response.iter_raw())


def _during_rebuild(data_dir: Path, base: str, args: argparse.Namespace) -> dict[str, Any]:
    """Record a new version of the newest figure (as an import or an approval would),
    then load the overview at once: the first requests see a changed store."""
    script = (
        "from sqlalchemy import select\n"
        "from dxplan.settings import Settings\n"
        "from dxplan.store.tables import measure_values as v\n"
        "from dxplan.workspace import Workspace\n"
        f"ws = Workspace(Settings(data_dir={str(data_dir)!r}))\n"
        "with ws.writing() as conn:\n"
        "    row = conn.execute(select(v).order_by(v.c.id.desc()).limit(1)).one()._asdict()\n"
        "    row.pop('id'); row['version'] += 1\n"
        "    conn.execute(v.insert().values(**row))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    path = PAGES[0]
    if args.tool == "ab":
        run = _load_ab(base, path, args.clients, args.requests)
    else:
        run = asyncio.run(_load(base, path, args.clients, args.requests)).as_json()
    print(
        f"{path:24} right after a store change: p95 {run['p95_ms']:7.1f} ms, "
        f"p99 {run['p99_ms']:7.1f} ms, longest {run.get('max_ms', float('nan')):7.1f} ms, "
        f"{run['throughput_rps']:6.0f} req/s, "
        f"errors {run.get('errors', 0)}"
    )
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--dossiers-per-year", type=int, default=2_500_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--src", type=Path, default=None, help="serve another source tree")
    parser.add_argument(
        "--change",
        action="store_true",
        help="then record a new version of a figure and load the overview while the "
        "board is rebuilt (readers should get the previous board meanwhile)",
    )
    parser.add_argument(
        "--tool",
        choices=("ab", "httpx"),
        default="ab" if shutil.which("ab") else "httpx",
        help="load generator: ApacheBench when installed (apache2-utils), else httpx",
    )
    args = parser.parse_args()

    data_dir = _prepare(args.data_dir, args.dossiers_per_year)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(data_dir, port, args.src, args.workers)
    try:
        for path in (TRIVIAL, *PAGES):  # warm up: the first call builds the evaluations
            httpx.get(base + path, timeout=120)
        for path in PAGES:  # every worker builds its boards and views before the clock
            for _ in range(20):
                warm = asyncio.run(_load(base, path, 8 * args.workers, 40 * args.workers))
                if max(warm.latencies) < 0.5:
                    break
        results: dict[str, Any] = {"clients": args.clients, "workers": args.workers, "pages": {}}
        for path in PAGES:
            if args.tool == "ab":
                before = _load_ab(base, TRIVIAL, args.clients, args.requests)
                page_run = _load_ab(base, path, args.clients, args.requests)
                after = _load_ab(base, TRIVIAL, args.clients, args.requests)
            else:
                before = asyncio.run(_load(base, TRIVIAL, args.clients, args.requests)).as_json()
                page_run = asyncio.run(_load(base, path, args.clients, args.requests)).as_json()
                after = asyncio.run(_load(base, TRIVIAL, args.clients, args.requests)).as_json()
            trivial_p95 = min(before["p95_ms"], after["p95_ms"])
            trivial_rps = max(before["throughput_rps"], after["throughput_rps"])
            rps_ratio = page_run["throughput_rps"] / trivial_rps
            p95 = page_run["p95_ms"]
            weight = _weight(base, path)
            results["pages"][path] = {
                "page": page_run,
                "trivial_before": before,
                "trivial_after": after,
                "p95_ratio_to_trivial": round(p95 / trivial_p95, 2),
                "throughput_ratio_to_trivial": round(rps_ratio, 2),
                "weight": weight,
            }
            print(
                f"{path:24} p95 {p95:7.1f} ms (trivial {trivial_p95:6.1f} ms, "
                f"ratio {p95 / trivial_p95:5.2f}) p50 {page_run['p50_ms']:6.1f} ms, "
                f"{page_run['throughput_rps']:6.0f} req/s (trivial {trivial_rps:6.0f}, "
                f"ratio {rps_ratio:4.2f}), errors {page_run['errors']}; "
                f"page {weight['page_bytes_transferred']:,} B [{args.tool}]"
            )
        if args.change:
            results["during_rebuild"] = _during_rebuild(data_dir, base, args)
    finally:
        server.terminate()
        server.wait(10)
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"web-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
