"""The same measure definitions on DuckDB and on Spark (local mode), cell by cell (issue 13).

    .venv/bin/python bench/spark.py --data-dir DIR [--master local[2]] [--driver-memory 4g]

`DIR` is a data folder with dossiers imported (`dxplan demo`, or the store of
`bench/engine.py --out`). Both engines read the files of the current snapshot's
manifest and the same month grid (`docs/spark.md`); the run prints each engine's
seconds (Spark's include starting its session, shown apart) and whether every cell
(unit, month, measure) of the dossier and catalog measures is equal.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pyarrow as pa

from dxplan.engine import spark as sessions
from dxplan.engine.calendar import months_table
from dxplan.engine.engines import open_engine
from dxplan.operational import OperationalStore
from dxplan.operational.partitions import delta_files, dossier_files
from dxplan.settings import Settings
from dxplan.workspace import Workspace


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by([("unit_code", "ascending"), ("month", "ascending")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g")
    args = parser.parse_args()

    store = OperationalStore(args.data_dir / "operational")
    manifest = store.snapshots.current()
    dossiers = dossier_files(manifest, str(store.root))
    deltas = delta_files(manifest, str(store.root))  # the changed dossiers, if any
    procedures = [str(store.snapshots.path(manifest.catalog.file))] if manifest.catalog else []
    with Workspace(Settings(data_dir=args.data_dir)) as workspace:  # the plan's calendar
        calendar = workspace.calendar()
    months = months_table(manifest.months, calendar)
    print(
        f"{manifest.dossier_count:,} dossiers in {len(dossiers)} files, "
        f"{len(manifest.months)} months"
    )

    results: dict[str, tuple[pa.Table, pa.Table]] = {}
    started = time.perf_counter()
    with open_engine("duckdb", dossiers, procedures, months, deltas=deltas) as engine:
        results["duckdb"] = (engine.dossier_measures(), engine.catalog_measures())
    duck = time.perf_counter() - started
    print(f"duckdb: {duck:.2f} s")

    started = time.perf_counter()
    spark = sessions.session(args.master, {"spark.driver.memory": args.driver_memory})
    session_s = time.perf_counter() - started
    try:
        started = time.perf_counter()
        with open_engine(
            "spark", dossiers, procedures, months, deltas=deltas, session=spark
        ) as engine:
            results["spark"] = (engine.dossier_measures(), engine.catalog_measures())
        spark_s = time.perf_counter() - started
    finally:
        sessions.stop(spark)
    print(
        f"spark ({args.master}): {spark_s:.2f} s after a session start of {session_s:.2f} s "
        f"({spark_s / duck:.1f}x duckdb)"
    )

    for index, name in enumerate(("dossier measures", "catalog measures")):
        a, b = _sorted(results["duckdb"][index]), _sorted(results["spark"][index])
        same = a.schema == b.schema and a.equals(b)
        measures = [c for c in a.column_names if c not in ("unit_code", "month")]
        cells = a.num_rows * len(measures)
        totals = {m: pa.compute.sum(a[m]).as_py() for m in measures[:4]}
        print(
            f"{name}: {a.num_rows:,} rows x {len(measures)} measures = {cells:,} cells; "
            f"equal cell by cell: {'yes' if same else 'NO'}; e.g. totals {totals}"
        )


if __name__ == "__main__":
    main()
