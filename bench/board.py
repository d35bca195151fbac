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

Then, on a copy of the store (the demo folder is not changed), each tree serves the
default board as a server does (`Workspace.board`) and rebuilds it after two changes:
an approval (a ward's quarterly report of two figures and their roll-up to the city:
four new versions) and a recompute of the dossier figures (every unit's figures of
October 2025 and of the quarter, half and year holding it: thousands of new
versions). Each rebuilt board's fingerprint is compared with a board built from
nothing on the same state in the same tree.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
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

# the default board served, then rebuilt after a change (on a copy of the store)
REBUILD = r"""
import hashlib, json, sys, time
from datetime import date
from dxplan.domain.value import MeasureValue
from dxplan.evaluate.dashboard import build_board
from dxplan.settings import Settings
from dxplan.store import values as value_store
from dxplan.workspace import Workspace

def fingerprint(board):
    shown = repr([
        (e.indicator.code, e.unit, str(e.period), e.value, e.numerator, e.denominator,
         e.status, e.projection, e.required_monthly_pace, e.series, e.latest, e.attainment)
        for e in board.evaluations
    ]) + repr(sorted(map(repr, board.jumps)))
    return hashlib.sha256(shown.encode()).hexdigest()[:16]

ws = Workspace(Settings(data_dir=sys.argv[1], as_of=date(2025, 11, 8)))
plan, org = ws.plan(), ws.organisation()
root = org.root.code
cal = plan.calendar

def bumped(values):
    return [MeasureValue(v.measure, v.unit, v.period, v.value + 1, "bench") for v in values]

def approval(conn):
    # a ward's quarterly report (two figures) and its roll-up to the city
    dataset = plan.datasets[0]
    q3 = [cal.parse("2025Q3")]
    ward = next(u.code for u in org if u.parent == root and u.kind == "ward")
    return bumped(value_store.latest(
        conn, measures=dataset.measures, units=[ward, root], periods=q3, calendar=cal))

def recompute(conn):
    # every unit's dossier figures of October 2025 and of the periods holding it
    reported = {m for d in plan.datasets for m in d.measures}
    measures = {m for i in plan.indicators for m in i.measures} - reported
    periods = [cal.parse(p) for p in ("2025-10", "2025Q4", "2025S2", "2025")]
    return bumped(value_store.latest(conn, measures=measures, periods=periods, calendar=cal))

out = {}
started = time.perf_counter()
board = ws.board()
out["first board"] = {"seconds": time.perf_counter() - started, "versions": 0,
                      "fingerprint": fingerprint(board), "full": fingerprint(board)}
for name, change in (("after an approval", approval), ("after a recompute", recompute)):
    with ws.writing() as conn:
        written = value_store.record(conn, change(conn), actor="bench")
    started = time.perf_counter()
    board = ws.board()
    took = time.perf_counter() - started
    with ws.engine.connect() as conn:
        full = build_board(conn, plan, ws.organisation(conn), board.period, board.as_of)
    out[name] = {"seconds": took, "versions": written, "fingerprint": fingerprint(board),
                 "full": fingerprint(full)}
print(json.dumps(out))
"""


def _run(
    data_dir: Path, src: Path | None, child: str = CHILD
) -> dict[str, dict[str, float | str | int]]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)  # ahead of the installed (editable) package
    done = subprocess.run(
        [sys.executable, "-c", child, str(data_dir)],
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
    _rebuilds(args.data_dir, trees, args.repeat)


def _copy(data_dir: Path, into: Path) -> Path:
    """A data folder holding a copy of `data_dir`'s store (the changes go there)."""
    target = into / "data"
    target.mkdir()
    source = sqlite3.connect(data_dir / "dxplan.sqlite3")
    copy = sqlite3.connect(target / "dxplan.sqlite3")
    with copy:
        source.backup(copy)
    source.close()
    copy.close()
    shutil.copy(data_dir / "secret_key", target / "secret_key")
    return target


def _rebuilds(data_dir: Path, trees: list[Path | None], repeat: int) -> None:
    best: dict[str, dict[str, dict[str, float | str | int]]] = {}
    for round_ in range(repeat):
        for tree in trees:
            name = str(tree or "installed")
            with tempfile.TemporaryDirectory(dir=data_dir.parent) as work:
                found = _run(_copy(data_dir, Path(work)), tree, REBUILD)
            for step, figures in found.items():
                kept = best.setdefault(name, {}).get(step)
                if kept is None or float(figures["seconds"]) < float(kept["seconds"]):
                    best[name][step] = figures
                print(
                    f"round {round_ + 1} {name:>30} {step:20} {float(figures['seconds']):6.2f} s "
                    f"{figures['versions']} versions, same as a full build: "
                    f"{figures['fingerprint'] == figures['full']}",
                    flush=True,
                )
    base = best[str(trees[0] or "installed")]
    print("\n| tree | board | new versions | best s | ratio to the first tree | same as full |")
    print("|---|---|---:|---:|---:|---|")
    for name, steps in best.items():
        for step, figures in steps.items():
            ratio = float(figures["seconds"]) / float(base[step]["seconds"])
            same = figures["fingerprint"] == figures["full"]
            print(
                f"| {name} | {step} | {figures['versions']} | {float(figures['seconds']):.2f} "
                f"| {ratio:.2f} | {'yes' if same else 'NO'} |"
            )


if __name__ == "__main__":
    main()
