"""One definition, several engines: the measure SQL on Spark gives DuckDB's numbers.

The sample goes through dxplan like any feed: the seven hand-checked dossiers of the
measures contract, then a small demo catalog and a few thousand demo dossiers. Both
engines read the stored Parquet files; the monthly per-unit dossier measures and the
catalog measures must be equal cell by cell (same schema, same rows, same integers).

One local SparkSession serves the module and all the Spark work is one test, so that
pytest-xdist never starts a second JVM on the other worker. Without Java the Spark test
is skipped, except under CI=true, where it fails.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dxplan.demo import generate
from dxplan.domain.period import DEFAULT_CALENDAR
from dxplan.engine.calendar import months_table
from dxplan.engine.definitions import CATALOG_MEASURES_SQL, DOSSIER_MEASURES
from dxplan.engine.engines import (
    DOSSIER_SCHEMA,
    ENGINES,
    DuckDBEngine,
    QueryEngine,
    SparkEngine,
    as_measure_table,
    open_engine,
    transpile,
)
from dxplan.ingest.service import import_files, operational_store
from dxplan.operational.partitions import delta_files, dossier_files
from dxplan.plans import DEFAULT_PLAN
from dxplan.settings import Settings
from dxplan.workspace import Workspace
from tests.ingest.test_measures_contract import DOSSIERS as HAND_DOSSIERS
from tests.ingest.test_measures_contract import EXPECTED as HAND_EXPECTED

# a short run on a small sample: the JIT's first tier only, one GC thread
QUICK_START = {
    "spark.driver.memory": "768m",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}


@dataclass(frozen=True)
class Inputs:
    """What an engine reads, and the base the importing DuckDB engine stored."""

    dossiers: list[str]
    deltas: list[str]  # the changed dossiers kept apart from the month files
    procedures: list[str]
    months: pa.Table
    base: pa.Table

    def engine(self, name: str, **options: Any) -> QueryEngine:
        return open_engine(
            name, self.dossiers, self.procedures, self.months, deltas=self.deltas, **options
        )


def _inputs(workspace: Workspace, keep: Path | None = None) -> Inputs:
    """The current snapshot's files (copied to `keep`: later imports collect old files)."""
    store = operational_store(workspace)
    manifest = store.snapshots.current()
    assert manifest.base is not None
    dossiers = dossier_files(manifest, str(store.root))
    deltas = delta_files(manifest, str(store.root))
    procedures = [str(store.snapshots.path(manifest.catalog.file))] if manifest.catalog else []
    if keep is not None:
        keep.mkdir()
        dossiers = [shutil.copy(path, keep) for path in dossiers]
        deltas = [shutil.copy(path, keep / "delta.parquet") for path in deltas]
    base = pq.read_table(store.snapshots.path(manifest.base))
    months = months_table(manifest.months, DEFAULT_CALENDAR)
    return Inputs(dossiers, deltas, procedures, months, base)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> tuple[Inputs, Inputs]:
    """(the seven hand-checked dossiers alone, those plus the demo catalog and dossiers)."""
    root = tmp_path_factory.mktemp("engines")
    data = root / "data"
    settings = Settings(
        data_dir=data,
        database_url=f"sqlite:///{data / 'dxplan.sqlite3'}",
        plan_file=DEFAULT_PLAN,
        agencies_file=None,
    )
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        organisation = workspace.organisation()
        assert organisation is not None
        hand_feed = root / "hand.csv"
        hand_feed.write_text(HAND_DOSSIERS, encoding="utf-8")
        assert import_files(workspace, "dossiers", [hand_feed]).stored == 7
        hand = _inputs(workspace, keep=root / "hand")
        demo = generate(root / "demo", organisation, dossiers_per_year=1500, procedures=250)
        assert import_files(workspace, "procedures", [demo.procedures]).stored > 0
        assert import_files(workspace, "dossiers", demo.dossiers).stored > 2000
        return hand, _inputs(workspace)


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local SparkSession for the module; its JVM is gone after the module."""
    if _java() is None:
        reason = "Java is not installed (no JAVA_HOME/bin/java, no java on PATH): Spark needs 17+"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from pyspark import SparkContext

    from dxplan.engine import spark as sessions

    session = sessions.session("local[2]", QUICK_START)
    jvm: subprocess.Popen[bytes] | None = getattr(SparkContext._gateway, "proc", None)
    yield session
    sessions.stop(session)
    assert SparkContext._gateway is None
    assert jvm is None or jvm.poll() is not None, "the Spark JVM is still running"


def _cells(table: pa.Table) -> dict[tuple[str, int], dict[str, int]]:
    """{(unit_code, month): {measure: value}} to name the first differing cell."""
    return {(row.pop("unit_code"), row.pop("month")): row for row in table.to_pylist()}


def assert_same(spark_table: pa.Table, duckdb_table: pa.Table, what: str) -> None:
    assert spark_table.schema == duckdb_table.schema, what
    spark_cells, duckdb_cells = _cells(spark_table), _cells(duckdb_table)
    assert spark_cells.keys() == duckdb_cells.keys(), f"{what}: not the same (unit, month) cells"
    for key, values in duckdb_cells.items():
        assert spark_cells[key] == values, f"{what} {key}"
    assert spark_table.equals(duckdb_table), what  # and in the same order


def _hand_checked(base: pa.Table) -> None:
    """The own monthly cells of the hand-worked table of the measures contract."""
    expected = {
        (row["measure"], row["unit_code"], row["period"]): int(row["value"])
        for row in csv.DictReader(io.StringIO(HAND_EXPECTED))
        if row["unit_code"] in {"31135", "92-SXD"} and len(row["period"]) == 7  # YYYY-MM
    }
    found = {
        (measure, row["unit_code"], f"{row['month'] // 100}-{row['month'] % 100:02d}"): row[measure]
        for row in base.to_pylist()
        for measure in DOSSIER_MEASURES
    }
    for key, value in expected.items():
        assert found.get(key, 0) == value, key
    assert sum(v for (m, _, _), v in found.items() if m == "dossiers_received") == 6


def test_spark_gives_duckdb_results_cell_by_cell(
    spark: Any, samples: tuple[Inputs, Inputs]
) -> None:
    hand, full = samples
    for label, inputs in (("hand-checked", hand), ("demo", full)):
        with (
            inputs.engine("duckdb") as duck,
            inputs.engine("spark", session=spark) as sparky,
        ):
            dossiers = sparky.dossier_measures()
            assert_same(dossiers, duck.dossier_measures(), f"{label}: dossier measures")
            # DuckDB through the registry = what the import computed and stored
            assert_same(dossiers, as_measure_table(inputs.base, DOSSIER_SCHEMA), label)
            catalog = sparky.catalog_measures()
            assert_same(catalog, duck.catalog_measures(), f"{label}: catalog measures")
        if label == "hand-checked":
            _hand_checked(dossiers)
            assert catalog.num_rows == 0  # no catalog imported yet: the empty view
        else:
            assert dossiers.num_rows > 500 and catalog.num_rows > 100
            assert sum(dossiers.column("dossiers_overdue_open").to_pylist()) > 0

    # an incremental recompute of a few cells, one of them with nothing in it
    rows = full.base.to_pylist()[::37]
    cells = pa.table(
        {
            "unit_code": pa.array([r["unit_code"] for r in rows] + ["31120"], pa.string()),
            "month": pa.array([r["month"] for r in rows] + [202503], pa.int32()),
        }
    )
    with (
        full.engine("duckdb", cells=cells) as duck,
        full.engine("spark", session=spark, cells=cells) as sparky,
    ):
        fresh = sparky.dossier_measures()
        assert_same(fresh, duck.dossier_measures(), "incremental cells")
    assert fresh.num_rows == cells.num_rows
    stored = _cells(as_measure_table(full.base, DOSSIER_SCHEMA))
    for key, values in _cells(fresh).items():
        assert values == stored.get(key, dict.fromkeys(DOSSIER_MEASURES, 0)), key

    # a file that is not there is an error on Spark too, found when the engine opens
    with pytest.raises(Exception, match="PATH_NOT_FOUND"):
        open_engine("spark", ["/nowhere/202507.parquet"], [], full.months, session=spark)


def test_the_registry_names_duckdb_and_spark() -> None:
    assert sorted(ENGINES) == ["duckdb", "spark"]
    assert ENGINES["duckdb"] is DuckDBEngine and ENGINES["spark"] is SparkEngine
    with pytest.raises(ValueError, match="unknown engine 'oracle'"):
        open_engine("oracle", [], [], months_table([202501], DEFAULT_CALENDAR))


def test_duckdb_runs_the_definitions_as_written_and_spark_gets_them_transpiled() -> None:
    assert transpile(CATALOG_MEASURES_SQL, "duckdb") is CATALOG_MEASURES_SQL
    spark_sql = transpile(CATALOG_MEASURES_SQL, "spark")
    assert "procedures AS p" in spark_sql and "months AS m" in spark_sql


def test_duckdb_engine_on_no_files_gives_empty_tables_of_the_right_schema() -> None:
    with open_engine("duckdb", [], [], months_table([202501, 202502], DEFAULT_CALENDAR)) as engine:
        dossiers = engine.dossier_measures()
        assert dossiers.num_rows == 0 and dossiers.schema == DOSSIER_SCHEMA
        assert engine.catalog_measures().num_rows == 0
