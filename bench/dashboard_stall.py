"""Can anonymous readers stall the dashboard? (issue 9) A cached page while others ask for new days.

    .venv/bin/python bench/dashboard_stall.py [--data-dir DIR] [--stallers 5] [--seconds 20]
    .venv/bin/python bench/dashboard_stall.py --src /tmp/dxplan-before/src   # another tree

The app runs in its own process (uvicorn, one worker, as `dxplan serve` runs it) over a
demo year (`--data-dir` from `dxplan demo`, or one generated into a temporary folder).
Once the default board is built, `--stallers` anonymous clients ask, in parallel and
without pause, for `/api/dashboard/overview?as_of=DAY` with a new day each time (every
one a board to build: days of the plan's year up to the demo's today, so that they are
served by the code before and after the fix alike). Meanwhile one probe asks, one request
at a time, for the cached overview (no query: a hit) and for `/api/version` (no database,
no template: the floor of the same app, under the same load). The verdict is the cached
page's p50 and p95 as a ratio to the trivial endpoint's, with the same figures measured
idle before the load. `--src` serves another source tree (the code before a fix: `git
archive COMMIT src | tar -x -C DIR`) with this same script, for a before/after in one run
of the machine's noise (without `--src`, the installed package is served).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from web import DEMO_AS_OF, TRIVIAL, _free_port, _prepare, _serve

CACHED = "/api/dashboard/overview"
FIRST_DAY = date(DEMO_AS_OF.year, 1, 1)


def _percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000

    return {
        "n": len(ordered),
        "p50_ms": round(at(50), 2),
        "p95_ms": round(at(95), 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


def _probe(client: httpx.Client, stop: threading.Event, rounds: int) -> dict[str, list[float]]:
    """Alternate the cached page and the trivial endpoint, one request at a time."""
    found: dict[str, list[float]] = {CACHED: [], TRIVIAL: []}
    for _ in range(rounds):
        if stop.is_set():
            break
        for path in (CACHED, TRIVIAL):
            started = time.perf_counter()
            response = client.get(path)
            found[path].append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
    return found


def _stall(base: str, days: list[date], stop: threading.Event, out: dict[str, int]) -> None:
    """Ask for new days without pause until told to stop (or the days run out)."""
    with httpx.Client(base_url=base, timeout=600) as client:
        for day in days:
            if stop.is_set():
                return
            status = client.get(CACHED, params={"as_of": day.isoformat()}).status_code
            out[str(status)] = out.get(str(status), 0) + 1


def run(base: str, stallers: int, seconds: float, rounds: int) -> dict[str, Any]:
    with httpx.Client(base_url=base, timeout=600) as client:
        client.get(CACHED)  # the default board, built once before anything is measured
        idle = _probe(client, threading.Event(), rounds)
        days = [FIRST_DAY + timedelta(d) for d in range((DEMO_AS_OF - FIRST_DAY).days)]
        stop, answers = threading.Event(), dict[str, int]()
        threads = [
            threading.Thread(target=_stall, args=(base, days[i::stallers], stop, answers))
            for i in range(stallers)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1)  # let the builds begin
        timer = threading.Timer(seconds, stop.set)
        timer.start()
        loaded = _probe(client, stop, 10**9)
        stop.set()
        timer.cancel()
        for thread in threads:
            thread.join()
    result: dict[str, Any] = {"stallers": stallers, "stall_answers": answers}
    for name, found in (("idle", idle), ("loaded", loaded)):
        hit, floor = _percentiles(found[CACHED]), _percentiles(found[TRIVIAL])
        result[name] = {
            "cached": hit,
            "trivial": floor,
            "p50_ratio": round(hit["p50_ms"] / floor["p50_ms"], 2),
            "p95_ratio": round(hit["p95_ms"] / floor["p95_ms"], 2),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--dossiers-per-year", type=int, default=200_000)
    parser.add_argument("--stallers", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--idle-rounds", type=int, default=200)
    parser.add_argument(
        "--src", type=Path, action="append", default=[], help="serve this source tree (repeatable)"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()

    data_dir = _prepare(args.data_dir, args.dossiers_per_year)
    results: dict[str, Any] = {}
    for src in args.src or [None]:
        name = "this tree" if src is None else str(src)
        port = _free_port()
        server = _serve(data_dir, port, src)
        try:
            found = run(f"http://127.0.0.1:{port}", args.stallers, args.seconds, args.idle_rounds)
        finally:
            server.terminate()
            server.wait(10)
        results[name] = found
        for phase in ("idle", "loaded"):
            r = found[phase]
            print(
                f"{name:28} {phase:6} cached p50 {r['cached']['p50_ms']:8.1f} ms "
                f"p95 {r['cached']['p95_ms']:8.1f} ms (n={r['cached']['n']}); trivial p50 "
                f"{r['trivial']['p50_ms']:6.1f} ms p95 {r['trivial']['p95_ms']:6.1f} ms; "
                f"ratio p50 {r['p50_ratio']:7.2f} p95 {r['p95_ratio']:7.2f}"
            )
        print(f"{name:28} new-day answers under load: {found['stall_answers']}")
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"dashboard-stall-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
