"""Engine and import benchmark (issue 3): dxplan against baselines measured in the same run.

    .venv/bin/python bench/engine.py [--sizes 1000000,10000000] [--out DIR] [--repeat 3]

For each size N the demo generator writes N dossiers (N/2 a year, 2024 and 2025) as the
contract's Parquet files, then the benchmark measures:

1. import: `import_files(workspace, "dossiers", files)` into an initialised, empty
   workspace (catalog imported first, not timed), against DuckDB reading the same files
   raw: `CREATE TABLE t AS SELECT *` into an on-disk database (the verdict's baseline),
   and a scan aggregating every column;
2. full compute: `compute(workspace, full=True)` and `Engine.full` alone, against one
   hand-written DuckDB query of the ten dossier measures per unit and local month over
   the stored Parquet files (the floor), and against pandas on the same files; the
   three must give the same numbers;
3. incremental: a batch of 30,000 rows (20,000 updates, 10,000 new dossiers) imported
   into the full store, import and recompute together (goal < 1 s), also as a ratio to
   the full compute;
4. peak memory (RSS) of every dxplan step: each step runs in a process of its own.

The machine is shared and noisy, so the verdicts are ratios to baselines measured in
the same run; absolute seconds are printed too. Every figure is the best of `--repeat`
runs (the import of more than 2 million rows runs once: `--import-repeat`); steps that
are compared run in alternation, so a burst of load hits them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dxplan.demo.generator import generate
from dxplan.domain.computed import COMPUTED
from dxplan.domain.measure import SourceKind
from dxplan.domain.period import Period, PeriodKind
from dxplan.engine.compute import Engine
from dxplan.ingest.service import compute, import_files, operational_store
from dxplan.operational.partitions import delta_files, dossier_files
from dxplan.settings import Settings
from dxplan.workspace import Workspace

MEASURES = COMPUTED.codes(SourceKind.DOSSIERS)  # the registry's, in its order
GOALS = {"import": 2.0, "compute": 1.5, "pandas": 3.0, "incremental": 1.0, "rss_gib": 2.0}
BATCH_UPDATES, BATCH_NEW = 20_000, 10_000
LOCAL_OFFSET_US = 7 * 3600 * 1_000_000  # Asia/Ho_Chi_Minh: UTC+7 all year, no DST
RESULT = "RESULT "  # a child step prints its result on a line starting with this

Step = Callable[[argparse.Namespace], dict[str, Any]]
STEPS: dict[str, Step] = {}


def step(function: Step) -> Step:
    STEPS[function.__name__.removeprefix("step_").replace("_", "-")] = function
    return function


# -- helpers -----------------------------------------------------------------------------


def sql_list(paths: list[Path] | list[str]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def feed_files(work: Path) -> list[Path]:
    return sorted((work / "feeds").glob("dossiers-*.parquet"))


def store_files(work: Path) -> list[str]:
    """The dossier partitions of the current snapshot of the benchmark's workspace.

    The baselines read them as plain files: right after the import there is no delta
    (`operational/partitions.py`), and a store with one is refused, not misread.
    """
    with Workspace(Settings(data_dir=work / "store")) as workspace:
        store = operational_store(workspace)
        manifest = store.snapshots.current()
        if delta_files(manifest, str(store.root)):
            raise SystemExit("the store has a delta: the baselines need its months whole")
        return dossier_files(manifest, str(store.root))


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def recompute_mode(result: Any) -> str:
    """How an import recomputed: "incremental", "full" or "roll-up" (older results: a flag)."""
    if hasattr(result, "mode"):
        return str(result.mode)
    return "incremental" if getattr(result, "incremental", False) else "full"


def source_version() -> str:
    """The commit of the work tree benchmarked, marked when it has uncommitted changes."""
    try:
        root = Path(__file__).resolve().parent.parent
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" with uncommitted changes in src/" if dirty else "")


def warm_up(workspace: Workspace) -> None:
    """Pay the once-a-process costs before timing: the plan file parsed into the
    workspace's cache, and DuckDB's lazy import of pandas (if installed) on `register`.
    """
    workspace.plan()
    workspace.organisation()
    con = duckdb.connect()
    con.register("warm", pa.table({"x": [1]}))
    con.close()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def profiled(args: argparse.Namespace, name: str, function: Callable[[], Any]) -> Any:
    """Run `function`, under pyinstrument when --profile asks (times are then not verdicts)."""
    if not args.profile:
        return function()
    from pyinstrument import Profiler  # optional: pip install pyinstrument

    profiler = Profiler(interval=0.01)
    profiler.start()
    try:
        return function()
    finally:
        profiler.stop()
        text = profiler.output_text(unicode=True, color=False)
        (Path(args.work) / f"profile-{name}.txt").write_text(text, encoding="utf-8")


def save_cells(table: pa.Table, path: Path) -> None:
    """Own monthly dossier measures per (unit_code, month), non-empty cells, sorted."""
    columns = ["unit_code", "month", *MEASURES]
    table = table.select(columns).cast(
        pa.schema(
            [("unit_code", pa.string()), ("month", pa.int32())]
            + [(m, pa.int64()) for m in MEASURES]
        )
    )
    con = duckdb.connect()
    con.register("cells", table)
    nonzero = " OR ".join(f"{m} <> 0" for m in MEASURES)
    kept = con.execute(f"SELECT * FROM cells WHERE {nonzero} ORDER BY unit_code, month")
    pq.write_table(kept.to_arrow_table(), path)
    con.close()


# -- child steps: each runs in a process of its own and prints its result -----------------


@step
def step_generate(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work)
    with Workspace(Settings(data_dir=work / "org")) as workspace:
        workspace.initialise()
        organisation = workspace.organisation()
    assert organisation is not None
    seconds, files = timed(
        lambda: generate(work / "feeds", organisation, dossiers_per_year=args.size // 2)
    )
    shutil.rmtree(work / "org")
    size = sum(f.stat().st_size for f in [files.procedures, *files.dossiers])
    return {"time": seconds, "files": len(files.dossiers), "bytes": size}


@step
def step_import(args: argparse.Namespace) -> dict[str, Any]:
    """Into a fresh workspace (catalog first, not timed); the last run's stays as `store`."""
    work = Path(args.work)
    files = feed_files(work)
    data = work / ("store" if args.run == args.runs - 1 else "store-scratch")
    shutil.rmtree(data, ignore_errors=True)
    with Workspace(Settings(data_dir=data)) as workspace:
        workspace.initialise()
        import_files(workspace, "procedures", [work / "feeds" / "procedures.parquet"])
        warm_up(workspace)
        seconds, result = timed(
            lambda: profiled(args, "import", lambda: import_files(workspace, "dossiers", files))
        )
    if data.name == "store-scratch":
        shutil.rmtree(data)
    return {
        "time": seconds,
        "rows": result.rows,
        "stored": result.stored,
        "rejected": result.rejected,
        "rss_mib": peak_rss_mib(),
    }


@step
def step_duckdb_scan(args: argparse.Namespace) -> dict[str, Any]:
    """DuckDB reads every column of the feed files (an aggregate over each of them)."""
    files = sql_list(feed_files(Path(args.work)))
    query = f"""
        SELECT count(*),
            sum(length(dossier_id) + length(procedure_code) + length(unit_code)
                + length(channel) + length(status)),
            sum(epoch_us(received_at)), sum(epoch_us(due_at)), sum(epoch_us(finished_at)),
            sum(epoch_us(updated_at)),
            sum(fee_required::INT + paid_online::INT + input_digitized::INT
                + result_digitized::INT)
        FROM read_parquet({files})
    """

    def run() -> int:
        con = duckdb.connect()
        row = con.execute(query).fetchone()
        con.close()
        assert row is not None
        return int(row[0])

    seconds, rows = timed(run)
    return {"time": seconds, "rows": rows, "rss_mib": peak_rss_mib()}


@step
def step_duckdb_ctas(args: argparse.Namespace) -> dict[str, Any]:
    """DuckDB loads the feed files into a table of an on-disk database."""
    work = Path(args.work)
    files = sql_list(feed_files(work))
    database = work / "ctas.duckdb"

    def run() -> int:
        database.unlink(missing_ok=True)
        con = duckdb.connect(str(database))
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet({files})")
        row = con.execute("SELECT count(*) FROM t").fetchone()
        con.close()
        assert row is not None
        return int(row[0])

    seconds, rows = timed(run)
    database.unlink(missing_ok=True)
    return {"time": seconds, "rows": rows, "rss_mib": peak_rss_mib()}


@step
def step_compute(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work)
    with Workspace(Settings(data_dir=work / "store")) as workspace:
        warm_up(workspace)
        seconds, result = timed(
            lambda: profiled(args, "compute", lambda: compute(workspace, full=True))
        )
        store = operational_store(workspace)
        manifest = store.snapshots.current()
        assert manifest.base is not None
        save_cells(
            pq.read_table(store.snapshots.path(manifest.base)), work / "cells-compute.parquet"
        )
    return {"time": seconds, "cells": result.cells, "rss_mib": peak_rss_mib()}


@step
def step_engine_full(args: argparse.Namespace) -> dict[str, Any]:
    """`Engine.full` alone, on a connection from `OperationalStore.connect()`."""
    work = Path(args.work)
    with Workspace(Settings(data_dir=work / "store")) as workspace:
        plan, organisation = workspace.plan(), workspace.organisation()
        assert plan is not None and organisation is not None
        con, _ = operational_store(workspace).connect()
        try:
            engine = Engine(con, plan, organisation)
            months = engine.month_grid(Period.of(PeriodKind.MONTH, plan.calendar.now().date()))
            seconds, result = timed(
                lambda: profiled(args, "engine-full", lambda: engine.full(months))
            )
        finally:
            con.close()
    save_cells(result.base, work / "cells-engine.parquet")
    return {"time": seconds, "cells": result.base.num_rows, "rss_mib": peak_rss_mib()}


def floor_sql(files: list[str]) -> str:
    """The ten dossier measures per unit and local month, written from the contract.

    Instants are epoch microseconds (UTC); the local month of one is taken after adding
    the zone's fixed +7 hours. A dossier is overdue-open at the end of month m (the first
    instant E of m + 1) when due_at < E and it is not finished by E; received_at ≤ E
    follows from due_at ≥ received_at (a rejection rule). So it counts from the month
    holding due_at to the month before the one holding finished_at - 1 µs (or to the
    last month of the grid while processing): one row per such month, not a join of
    every dossier with every month.
    """

    def month(column: str) -> str:
        local = f"make_timestamp({column} + {LOCAL_OFFSET_US})"
        return f"(year({local}) * 12 + month({local}) - 1)"

    return f"""
    WITH live AS (
        SELECT unit_code, channel, status, fee_required, paid_online, input_digitized,
            result_digitized, due_at, finished_at,
            {month("received_at")} AS received_m,
            CASE WHEN status = 'finished' THEN {month("finished_at")} END AS finished_m,
            {month("due_at")} AS due_m,
            {month("finished_at - 1")} AS finished_before_m
        FROM read_parquet({sql_list(files)})
        WHERE status <> 'withdrawn'
    ),
    grid AS (  -- whole years, from the first month received to the last month with a dossier
        SELECT max(greatest(received_m, coalesce(finished_m, received_m))) // 12 * 12 + 11
            AS last_m
        FROM live
    ),
    received AS (
        SELECT unit_code, received_m AS m,
            count(*) AS dossiers_received,
            count(*) FILTER (channel = 'online') AS dossiers_online,
            count(*) FILTER (input_digitized) AS dossiers_input_digitized,
            count(*) FILTER (fee_required) AS dossiers_fee,
            count(*) FILTER (fee_required AND paid_online) AS dossiers_paid_online
        FROM live GROUP BY ALL
    ),
    finished AS (
        SELECT unit_code, finished_m AS m,
            count(*) AS dossiers_finished,
            count(*) FILTER (due_at IS NOT NULL) AS dossiers_finished_with_due,
            count(*) FILTER (finished_at <= due_at) AS dossiers_finished_on_time,
            count(*) FILTER (result_digitized) AS dossiers_result_digitized
        FROM live WHERE status = 'finished' GROUP BY ALL
    ),
    overdue AS (
        SELECT unit_code, m, count(*) AS dossiers_overdue_open
        FROM (
            SELECT unit_code, unnest(range(due_m, last + 1)) AS m
            FROM (
                SELECT unit_code, due_m,
                    CASE WHEN status = 'processing' THEN (SELECT last_m FROM grid)
                         ELSE finished_before_m - 1 END AS last
                FROM live WHERE due_at IS NOT NULL
            )
            WHERE last >= due_m
        )
        WHERE m <= (SELECT last_m FROM grid)
        GROUP BY ALL
    )
    SELECT unit_code, (m // 12 * 100 + m % 12 + 1)::INTEGER AS month,
        coalesce(dossiers_received, 0) AS dossiers_received,
        coalesce(dossiers_online, 0) AS dossiers_online,
        coalesce(dossiers_input_digitized, 0) AS dossiers_input_digitized,
        coalesce(dossiers_fee, 0) AS dossiers_fee,
        coalesce(dossiers_paid_online, 0) AS dossiers_paid_online,
        coalesce(dossiers_finished, 0) AS dossiers_finished,
        coalesce(dossiers_finished_with_due, 0) AS dossiers_finished_with_due,
        coalesce(dossiers_finished_on_time, 0) AS dossiers_finished_on_time,
        coalesce(dossiers_result_digitized, 0) AS dossiers_result_digitized,
        coalesce(dossiers_overdue_open, 0) AS dossiers_overdue_open
    FROM received
    FULL JOIN finished USING (unit_code, m)
    FULL JOIN overdue USING (unit_code, m)
    """


@step
def step_floor(args: argparse.Namespace) -> dict[str, Any]:
    """One hand-written DuckDB query over the stored Parquet files (DuckDB's default memory
    limit, or DXPLAN_BENCH_FLOOR_MEMORY_LIMIT)."""
    work = Path(args.work)
    query = floor_sql(store_files(work))
    # unbounded by default; out of core (the country's 200 M) with the same budget as dxplan
    limit = os.environ.get("DXPLAN_BENCH_FLOOR_MEMORY_LIMIT")

    def run() -> pa.Table:
        con = duckdb.connect()
        if limit:
            con.execute(f"SET memory_limit = '{limit}'")
            con.execute(f"SET temp_directory = '{work / 'floor-spill'}'")
        table = con.execute(query).to_arrow_table()
        con.close()
        return table

    seconds, table = timed(run)
    save_cells(table, work / "cells-floor.parquet")
    return {"time": seconds, "cells": table.num_rows, "rss_mib": peak_rss_mib()}


def pandas_measures(files: list[str]) -> pa.Table:
    """The ten dossier measures per unit and local month, with pandas, from the contract."""
    import numpy as np
    import pandas as pd

    columns = [
        "unit_code", "channel", "status", "fee_required", "paid_online", "input_digitized",
        "result_digitized", "received_at", "due_at", "finished_at",
    ]  # fmt: skip
    frame = pd.concat([pd.read_parquet(f, columns=columns) for f in files], ignore_index=True)
    live = frame[frame["status"] != "withdrawn"]

    def month(instants: pd.Series) -> pd.Series:
        local = pd.to_datetime(instants + LOCAL_OFFSET_US, unit="us")
        return local.dt.year * 12 + local.dt.month - 1

    received_m = month(live["received_at"])
    received = (
        live.assign(
            m=received_m,
            online=live["channel"] == "online",
            paid=live["fee_required"] & live["paid_online"],
        )
        .groupby(["unit_code", "m"])
        .agg(
            dossiers_received=("online", "size"),
            dossiers_online=("online", "sum"),
            dossiers_input_digitized=("input_digitized", "sum"),
            dossiers_fee=("fee_required", "sum"),
            dossiers_paid_online=("paid", "sum"),
        )
    )
    done = live[live["status"] == "finished"]
    finished_m = month(done["finished_at"])
    finished = (
        done.assign(
            m=finished_m,
            with_due=done["due_at"].notna(),
            on_time=done["finished_at"] <= done["due_at"],
        )
        .groupby(["unit_code", "m"])
        .agg(
            dossiers_finished=("with_due", "size"),
            dossiers_finished_with_due=("with_due", "sum"),
            dossiers_finished_on_time=("on_time", "sum"),
            dossiers_result_digitized=("result_digitized", "sum"),
        )
    )
    last_m = int(max(received_m.max(), finished_m.max())) // 12 * 12 + 11
    due = live[live["due_at"].notna()]
    first = month(due["due_at"]).to_numpy()
    last = np.where(
        due["status"] == "processing",
        last_m,
        (month(due["finished_at"] - 1) - 1).fillna(-1).to_numpy(),
    ).astype(np.int64)
    last = np.minimum(last, last_m)
    spans = np.maximum(last - first + 1, 0)
    starts = np.repeat(np.cumsum(spans) - spans, spans)
    overdue = (
        pd.DataFrame(
            {
                "unit_code": np.repeat(due["unit_code"].to_numpy(), spans),
                "m": np.repeat(first, spans) + np.arange(spans.sum()) - starts,
            }
        )
        .groupby(["unit_code", "m"])
        .size()
        .rename("dossiers_overdue_open")
    )
    cells = pd.concat([received, finished, overdue], axis=1).fillna(0).astype("int64")
    cells = cells.reset_index()
    cells["month"] = (cells["m"] // 12 * 100 + cells["m"] % 12 + 1).astype("int32")
    return pa.Table.from_pandas(cells[["unit_code", "month", *MEASURES]], preserve_index=False)


@step
def step_pandas(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work)
    files = store_files(work)
    seconds, table = timed(lambda: pandas_measures(files))
    save_cells(table, work / "cells-pandas.parquet")
    return {"time": seconds, "cells": table.num_rows, "rss_mib": peak_rss_mib()}


@step
def step_batches(args: argparse.Namespace) -> dict[str, Any]:
    """Write `repeat` incremental batches of distinct dossiers (contract-shaped Parquet).

    Updates: processing dossiers (a random sample, whatever month they were received in)
    become finished on 31 December 2025; when there are too few (about 1.2% of the
    dossiers are still processing, so below 5 million), the latest finished dossiers
    without a digitised result get one. New: copies of the latest dossiers under fresh
    ids. Every update carries a newer updated_at. All months stay in 2024-2025, so the
    month grid does not change and the recompute can be incremental.
    """
    work = Path(args.work)
    files = sql_list(feed_files(work))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
    con.execute(f"CREATE TEMP VIEW feed AS SELECT * FROM read_parquet({files})")
    count = con.execute(
        "SELECT count(*) FROM feed WHERE status = 'processing' "
        "AND received_at < TIMESTAMPTZ '2025-12-31 15:00:00+07'"
    ).fetchone()
    processing = min(BATCH_UPDATES, (int(count[0]) if count else 0) // args.runs)
    topup = BATCH_UPDATES - processing
    per_batch = max(processing, 1)
    con.execute(
        f"""
        CREATE TEMP TABLE finishing AS
        SELECT *, (row_number() OVER (ORDER BY hash(dossier_id)) - 1) // {per_batch} AS batch
        FROM feed WHERE status = 'processing'
          AND received_at < TIMESTAMPTZ '2025-12-31 15:00:00+07'
        ORDER BY hash(dossier_id) LIMIT {processing * args.runs}
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE digitising AS
        SELECT *, (row_number() OVER (ORDER BY hash(dossier_id)) - 1) // {max(topup, 1)} AS batch
        FROM (
            SELECT * FROM feed WHERE status = 'finished' AND NOT result_digitized
            ORDER BY received_at DESC LIMIT {topup * args.runs}
        )
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE copies AS
        SELECT *, (row_number() OVER (ORDER BY hash(dossier_id || 'new')) - 1) AS n
        FROM (
            SELECT * FROM feed WHERE status <> 'withdrawn'
            ORDER BY received_at DESC LIMIT {BATCH_NEW * args.runs}
        )
        """
    )
    written = []
    for batch in range(args.runs):
        updated = f"TIMESTAMPTZ '2026-01-01 00:00:00+07' + INTERVAL {batch + 1} SECOND"
        path = work / f"batch-{batch + 1}.parquet"
        con.execute(
            f"""
            COPY (
                SELECT dossier_id, procedure_code, unit_code, channel, received_at, due_at,
                    TIMESTAMPTZ '2025-12-31 16:00:00+07' AS finished_at,
                    'finished' AS status, fee_required, paid_online, input_digitized,
                    hash(dossier_id) % 10 < 7 AS result_digitized, {updated} AS updated_at
                FROM finishing WHERE batch = {batch}
                UNION ALL
                SELECT dossier_id, procedure_code, unit_code, channel, received_at, due_at,
                    finished_at, status, fee_required, paid_online, input_digitized,
                    true AS result_digitized, {updated} AS updated_at
                FROM digitising WHERE batch = {batch}
                UNION ALL
                SELECT unit_code || '-' || strftime(received_at, '%y%m%d') || '-N{batch + 1}'
                        || lpad(CAST(n AS VARCHAR), 6, '0') AS dossier_id,
                    procedure_code, unit_code, channel, received_at, due_at, finished_at,
                    status, fee_required, paid_online, input_digitized, result_digitized,
                    updated_at
                FROM copies WHERE n // {BATCH_NEW} = {batch}
            ) TO '{path}' (FORMAT parquet, COMPRESSION zstd)
            """
        )
        written.append(str(path))
    rows = con.execute(f"SELECT count(*) FROM read_parquet({sql_list(written)})").fetchone()
    con.close()
    return {
        "time": 0.0,
        "batches": written,
        "rows": int(rows[0]) if rows else 0,
        "processing_updates": processing,
        "result_updates": topup,
    }


@step
def step_incremental(args: argparse.Namespace) -> dict[str, Any]:
    """Import batch `run + 1` into the full store: validation, merge, incremental recompute."""
    work = Path(args.work)
    path = work / f"batch-{args.run + 1}.parquet"
    with Workspace(Settings(data_dir=work / "store")) as workspace:
        warm_up(workspace)
        seconds, result = timed(
            lambda: profiled(
                args,
                f"incremental-{args.run + 1}",
                lambda: import_files(workspace, "dossiers", [path]),
            )
        )
    return {
        "time": seconds,
        "rows": result.rows,
        "stored": result.stored,
        "rejected": result.rejected,
        "cells": result.cells,
        "mode": recompute_mode(result),
        "values_written": result.values_written,
        "rss_mib": peak_rss_mib(),
    }


# -- the parent: runs the steps, checks agreement, prints verdicts -----------------------


@dataclass
class Report:
    size: int
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    agreement: dict[str, Any] = field(default_factory=dict)

    def best(self, name: str) -> float:
        return min(self.results[name]["times"])

    def add(self, name: str, result: dict[str, Any]) -> None:
        """Keep every run's time and load, the peak RSS over runs, and each run's details."""
        kept = self.results.setdefault(name, {"times": [], "loads": [], "runs": []})
        kept["times"].append(result.pop("time"))
        kept["loads"].append(result.pop("load"))
        if "rss_mib" in result:
            kept["rss_mib"] = max(kept.get("rss_mib", 0.0), result.pop("rss_mib"))
        kept["runs"].append(result)


def run_step(
    name: str, work: Path, size: int, run: int, runs: int, profile: bool
) -> dict[str, Any]:
    """Run one step in a process of its own; its result with the load average before it."""
    command = [
        sys.executable, __file__, "--step", name, "--work", str(work),
        "--size", str(size), "--run", str(run), "--runs", str(runs),
    ]  # fmt: skip
    if profile:
        command.append("--profile")
    load = os.getloadavg()[0]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"step {name} failed (exit {done.returncode}):\n{done.stdout}")
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith(RESULT))
    result: dict[str, Any] = json.loads(line.removeprefix(RESULT))
    rss = f", peak RSS {result['rss_mib']:5.0f} MiB" if "rss_mib" in result else ""
    print(
        f"  {name:<12} run {run + 1}/{runs} {result['time']:8.2f} s{rss}  (load {load:.1f})",
        flush=True,
    )
    result["load"] = load
    return result


def compare(work: Path) -> dict[str, Any]:
    """Totals of every measure from each source, and whether every cell agrees."""
    sources = {
        name: pq.read_table(work / f"cells-{name}.parquet")
        for name in ("engine", "compute", "floor", "pandas")
    }
    totals = {
        name: {m: int(pc.sum(table[m]).as_py() or 0) for m in MEASURES}
        for name, table in sources.items()
    }
    reference = sources["floor"]
    cells = {name: table.equals(reference) for name, table in sources.items()}
    return {"totals": totals, "cells_equal": cells, "agree": all(cells.values())}


def bench_size(size: int, work: Path, args: argparse.Namespace) -> Report:
    """Every step at one size; steps compared with each other run in alternation (rounds),
    so that a burst of load on the shared machine hits all of them alike."""
    report = Report(size)
    work.mkdir(parents=True, exist_ok=True)
    repeat = args.repeat
    imports = args.import_repeat or (repeat if size <= 2_000_000 else 1)
    print(f"\n== {size:,} dossiers, in {work} ==", flush=True)

    def run(name: str, number: int = 0, runs: int = 1) -> None:
        report.add(name, run_step(name, work, size, number, runs, args.profile))

    if args.reuse_feeds and (work / "feeds").is_dir():
        print("  generate     reusing the feed files already there", flush=True)
    else:
        run("generate")
    for number in range(max(repeat, imports)):
        if number < repeat:
            run("duckdb-scan", number, repeat)
            run("duckdb-ctas", number, repeat)
        if number < imports:
            run("import", number, imports)
    for number in range(repeat):
        for name in ("floor", "engine-full", "compute", "pandas"):
            run(name, number, repeat)
    run("batches", 0, repeat)
    for number in range(repeat):
        run("incremental", number, repeat)
    report.agreement = compare(work)
    print_report(report)
    (work / "results.json").write_text(
        json.dumps(
            {"size": size, "results": report.results, "agreement": report.agreement}, indent=1
        ),
        encoding="utf-8",
    )
    return report


def rate(rows: int, seconds: float) -> str:
    per_second = rows / seconds
    return f"{per_second / 1e6:.2f} M/s" if per_second >= 1e6 else f"{per_second / 1e3:.0f} k/s"


def verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def rows_of(report: Report) -> list[list[str]]:
    """Table rows: size, step, best s (runs), rows/s, ratio, goal, met, peak RSS."""
    r, n = report.results, report.size
    best = report.best

    def runs(name: str) -> str:
        return f"{best(name):.2f} ({len(r[name]['times'])})"

    def rss(name: str) -> str:
        return f"{r[name]['rss_mib']:.0f} MiB"

    imp, ctas, scan = best("import"), best("duckdb-ctas"), best("duckdb-scan")
    floor, full, eng, pd_ = best("floor"), best("compute"), best("engine-full"), best("pandas")
    inc = best("incremental")
    size = f"{n / 1e6:g}M"
    limit = GOALS["rss_gib"] * 1024
    dx_rss = max(r[s]["rss_mib"] for s in ("import", "compute", "engine-full", "incremental"))

    def against_floor_and_pandas(seconds: float) -> tuple[str, str]:
        ratio, faster = seconds / floor, pd_ / seconds
        met = ratio <= GOALS["compute"] and faster >= GOALS["pandas"]
        return f"{ratio:.2f}× floor; pandas {faster:.1f}× slower", verdict(met)

    engine_ratio, engine_met = against_floor_and_pandas(eng)
    full_ratio, full_met = against_floor_and_pandas(full)
    compute_goal = "≤ 1.5× floor; pandas ≥ 3× slower"
    return [
        [size, "import: dxplan import_files", runs("import"), rate(n, imp),
         f"{imp / ctas:.1f}× DuckDB CTAS", "≤ 2× CTAS", verdict(imp / ctas <= GOALS["import"]),
         rss("import")],
        [size, "import: DuckDB CREATE TABLE AS (baseline)", runs("duckdb-ctas"), rate(n, ctas),
         "1", "", "", rss("duckdb-ctas")],
        [size, "import: DuckDB scan of every column", runs("duckdb-scan"), rate(n, scan),
         f"{scan / ctas:.2f}× CTAS", "", "", rss("duckdb-scan")],
        [size, "compute: hand-written DuckDB query (floor)", runs("floor"), rate(n, floor),
         "1", "", "", rss("floor")],
        [size, "compute: pandas", runs("pandas"), rate(n, pd_), f"{pd_ / floor:.2f}× floor",
         "", "", rss("pandas")],
        [size, "compute: Engine.full", runs("engine-full"), rate(n, eng), engine_ratio,
         compute_goal, engine_met, rss("engine-full")],
        [size, "compute: compute(full=True)", runs("compute"), rate(n, full), full_ratio,
         compute_goal, full_met, rss("compute")],
        [size, "incremental: import 30k rows + recompute", runs("incremental"),
         rate(BATCH_UPDATES + BATCH_NEW, inc), f"{inc / full:.2f}× compute(full)", "< 1 s",
         verdict(inc < GOALS["incremental"]), rss("incremental")],
        [size, "peak RSS, largest dxplan step", "", "", "", "< 2 GiB", verdict(dx_rss < limit),
         f"{dx_rss:.0f} MiB"],
    ]  # fmt: skip


HEADER = ["size", "step", "best s (runs)", "rows/s", "ratio", "goal", "met", "peak RSS"]


def markdown(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def print_report(report: Report) -> None:
    r = report.results
    agreement = report.agreement
    print(f"\n  agreement at {report.size:,}: ", end="")
    print(
        "engine, compute, floor and pandas give the same cells"
        if agreement["agree"]
        else f"DIFFERENT cells: {agreement['cells_equal']}"
    )
    totals = agreement["totals"]
    width = max(len(m) for m in MEASURES)
    print(f"    {'measure':<{width}}  " + "  ".join(f"{n:>11}" for n in totals))
    for measure in MEASURES:
        print(
            f"    {measure:<{width}}  " + "  ".join(f"{t[measure]:>11,}" for t in totals.values())
        )
    for run in r["incremental"]["runs"]:
        if run["mode"] != "incremental" or run["rejected"] or run["stored"] != run["rows"]:
            print(f"    WARNING incremental run: {run}")
    batches = r["batches"]["runs"][0]
    print(
        f"    incremental batches: {BATCH_UPDATES:,} updates ({batches['processing_updates']:,} "
        f"processing → finished, {batches['result_updates']:,} result digitised), "
        f"{BATCH_NEW:,} new; stored {[x['stored'] for x in r['incremental']['runs']]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="1000000,10000000", help="dossier counts, comma-separated"
    )
    parser.add_argument(
        "--out", type=Path, help="work folder (kept); default: a temp folder, removed"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per step, best kept")
    parser.add_argument(
        "--import-repeat",
        type=int,
        default=0,
        help="runs of the dxplan import (default: --repeat up to 2M dossiers, else 1)",
    )
    parser.add_argument("--reuse-feeds", action="store_true", help="keep feed files found in --out")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="pyinstrument profiles of the dxplan steps (times are then not verdicts)",
    )
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--run", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:
        result = STEPS[args.step](args)
        print(RESULT + json.dumps(result), flush=True)
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    root = args.out or Path(tempfile.mkdtemp(prefix="dxplan-bench-", dir="/tmp"))
    print(
        f"dxplan engine benchmark: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, dxplan {source_version()}, sizes {sizes}, "
        f"best of {args.repeat}",
        flush=True,
    )
    started = time.perf_counter()
    try:
        reports = [bench_size(size, root / f"n{size}", args) for size in sizes]
    finally:
        if args.out is None:
            shutil.rmtree(root, ignore_errors=True)
    rows = [row for report in reports for row in rows_of(report)]
    print(f"\nall sizes in {time.perf_counter() - started:.0f} s\n")
    print(markdown(rows))


if __name__ == "__main__":
    main()
