"""What the city sends (issue 10): the official report, the national packets and the
open-data package, each against the indicator export they all read.

    .venv/bin/python bench/outputs.py [--dossiers-per-year 20000] [--repeat 3]

The benchmark loads the demo (the shipped plan, N dossiers a year for 2024-2025, two
years of the units' reports) into an embedded store in a temporary folder, as of
2025-11-08, and computes the figures. Then it times, best of `--repeat`:

- baseline: `indicator_rows` (the rows of `dxplan indicators export`), the one source
  the three outputs read;
- the official report of the city for 2025Q3: gathering it from the evaluation, then
  writing the DOCX, the XLSX and (when LibreOffice is installed) the PDF;
- the open-data package (`build_package`);
- `national queue` of 2025Q3 into an empty outbox, and queuing it again (nothing
  changed: no packet added).

It prints one JSON line per step with its seconds and its ratio to the baseline
measured in the same run (absolute times drift on this shared machine).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from dxplan.demo.load import load_demo
from dxplan.demo.reports import load_reports
from dxplan.exports.figures import indicator_rows
from dxplan.ingest.service import compute
from dxplan.national.queueing import queue_period
from dxplan.official.formats import ReportFormat, render
from dxplan.official.gather import gather
from dxplan.official.pdf import Converter
from dxplan.opendata.package import build_package
from dxplan.opendata.service import licence
from dxplan.settings import Settings
from dxplan.workspace import Workspace

AS_OF = date(2025, 11, 8)


def _best(step: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers-per-year", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dxplan-bench-outputs-"))
    try:
        settings = Settings(data_dir=folder, as_of=AS_OF)
        with Workspace(settings) as workspace:
            workspace.initialise(actor="bench")
            load_demo(workspace, dossiers_per_year=args.dossiers_per_year)
            load_reports(workspace, as_of=AS_OF)
            compute(workspace)
            _run(workspace, args.repeat)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(workspace: Workspace, repeat: int) -> None:
    plan, organisation = workspace.plan(), workspace.organisation()
    assert plan is not None and organisation is not None
    quarter = plan.calendar.parse("2025Q3")
    rows: list[tuple[str, ...]] = []

    def export() -> None:
        with workspace.engine.connect() as conn:
            rows[:] = list(indicator_rows(conn, plan))

    baseline = _best(export, repeat)
    _print(
        "baseline: indicator_rows (dxplan indicators export)", baseline, baseline, rows=len(rows)
    )

    report = gather(workspace, period=quarter, unit=None, as_of=AS_OF)
    converter = Converter(workspace.settings.soffice, workspace.settings.pdf_timeout)
    steps: list[tuple[str, Callable[[], Any]]] = [
        (
            "official report: gather",
            lambda: gather(workspace, period=quarter, unit=None, as_of=AS_OF),
        ),
        ("official report: DOCX", lambda: render(report, ReportFormat.DOCX, "vi", converter)),
        ("official report: XLSX", lambda: render(report, ReportFormat.XLSX, "vi", converter)),
    ]
    if shutil.which(workspace.settings.soffice):
        steps.append(
            ("official report: PDF", lambda: render(report, ReportFormat.PDF, "vi", converter))
        )

    def package() -> None:
        with workspace.engine.connect() as conn:
            build_package(
                conn,
                plan,
                organisation,
                licence(workspace.settings),
                workspace.settings.now(plan.calendar.zone),
            )

    steps.append(("open data: build_package", package))
    for name, step in steps:
        _print(name, _best(step, repeat), baseline)

    start = time.perf_counter()
    first = queue_period(workspace, plan, quarter)
    _print(
        "national queue 2025Q3 (empty outbox)",
        time.perf_counter() - start,
        baseline,
        report=str(first),
    )
    start = time.perf_counter()
    again = queue_period(workspace, plan, quarter)
    _print(
        "national queue 2025Q3 again (nothing changed)",
        time.perf_counter() - start,
        baseline,
        report=str(again),
    )


def _print(step: str, seconds: float, baseline: float, **extra: Any) -> None:
    line = {
        "step": step,
        "seconds": round(seconds, 3),
        "ratio": round(seconds / baseline, 2),
        **extra,
    }
    print(json.dumps(line, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
