"""Board benchmark (issue 13): how long the dashboard's board takes to build after a change.

    .venv/bin/python bench/board.py --data-dir DIR [--src OTHER/src] [--repeat 5]

`DIR` is a data folder made by `dxplan demo` (as of 2025-11-08). A board is every
evaluation of the plan for every unit (`build_board`): what a server rebuilds after the
store changed. Each source tree (`--src`, repeatable: e.g. the code before a change,
from `git archive COMMIT src | tar -x -C /tmp/before`; default: the installed package)
builds the boards of three (period, day) pairs in a process of its own, round by round
in alternation so a burst of load hits them alike. The run prints, per tree, the best
seconds of each board and a fingerprint of its evaluations: the trees must agree on it
(the same figures, statuses, projections and series), and the ratio of the best times
is the verdict (the machine is shared: read ratios, not seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import hashlib, json, sys, time
from datetime import date
from dxplan.evaluate.dashboard import build_board
from dxplan.settings import Settings
from dxplan.workspace import Workspace

ws = Workspace(Settings(data_dir=sys.argv[1], as_of=date(2025, 11, 8)))
plan, org = ws.plan(), ws.organisation()
out = {}
for text, day in ((None, "2025-11-08"), ("2025Q3", "2025-10-01"), ("2024", "2025-03-01")):
    day = date.fromisoformat(day)
    period = plan.calendar.parse(text or plan.period or str(day.year))
    started = time.perf_counter()
    with ws.engine.connect() as conn:
        board = build_board(conn, plan, org, period, day)
    took = time.perf_counter() - started
    shown = repr([
        (e.indicator.code, e.unit, str(e.period), e.value, e.numerator, e.denominator,
         e.status, e.projection, e.required_monthly_pace, e.series, e.latest, e.attainment)
        for e in board.evaluations
    ]) + repr(board.jumps)
    out[f"{period}@{day}"] = {
        "seconds": took,
        "evaluations": len(board.evaluations),
        "fingerprint": hashlib.sha256(shown.encode()).hexdigest()[:16],
    }
print(json.dumps(out))
"""


def _run(data_dir: Path, src: Path | None) -> dict[str, dict[str, float | str | int]]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)  # ahead of the installed (editable) package
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir)],
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
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    trees: list[Path | None] = [*args.src, None]  # None: the installed package
    best: dict[str, dict[str, dict[str, float | str | int]]] = {}
    for round_ in range(args.repeat):
        load = os.getloadavg()[0]
        for tree in trees:
            name = str(tree or "installed")
            for board, found in _run(args.data_dir, tree).items():
                kept = best.setdefault(name, {}).get(board)
                if kept is None or float(found["seconds"]) < float(kept["seconds"]):
                    best[name][board] = found
                print(
                    f"round {round_ + 1} load {load:.1f} {name:>30} {board:24} "
                    f"{float(found['seconds']):6.2f} s {found['fingerprint']}",
                    flush=True,
                )
    base = best[str(trees[0] or "installed")]
    print("\n| tree | board | evaluations | best s | ratio to the first tree | fingerprint |")
    print("|---|---|---:|---:|---:|---|")
    for name, boards in best.items():
        for board, found in boards.items():
            ratio = float(found["seconds"]) / float(base[board]["seconds"])
            print(
                f"| {name} | {board} | {found['evaluations']} | {float(found['seconds']):.2f} "
                f"| {ratio:.2f} | {found['fingerprint']} |"
            )
    same = {
        json.dumps({b: f["fingerprint"] for b, f in boards.items()}) for boards in best.values()
    }
    print("\nsame evaluations in every tree:", "yes" if len(same) == 1 else "NO")


if __name__ == "__main__":
    main()
