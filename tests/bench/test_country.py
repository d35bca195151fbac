"""bench/country.py at a tiny size: a store that `compute` reads, as an import would store it."""

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from dxplan.exports.figures import measure_rows
from dxplan.ingest.service import compute, import_files
from dxplan.operational import OperationalStore
from dxplan.operational.partitions import dossier_files
from dxplan.settings import Settings
from dxplan.workspace import Workspace

BENCH = Path(__file__).resolve().parents[2] / "bench" / "country.py"
SIZE = 2_000


@pytest.fixture(scope="module")
def country() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_country", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def figures(data_dir: Path, measure: str) -> dict[tuple[str, str], float]:
    """{(unit, period): value} of one measure in the value store."""
    with Workspace(Settings(data_dir=data_dir)) as workspace:
        plan = workspace.plan()
        assert plan is not None
        with workspace.engine.connect() as conn:
            return {
                (unit, period): float(value)
                for code, unit, period, value in measure_rows(conn, plan)
                if code == measure
            }


def stored_rows(data_dir: Path) -> duckdb.DuckDBPyConnection:
    """A connection with a view `d` over the current snapshot's dossier files."""
    store = OperationalStore(data_dir / "operational")
    files = dossier_files(store.snapshots.current(), str(store.root))
    con = duckdb.connect()
    con.execute(f"CREATE VIEW d AS SELECT * FROM read_parquet({files!r})")
    return con


def test_a_tiny_country_is_computed_per_province(country: ModuleType, tmp_path: Path) -> None:
    data = tmp_path / "country"
    made = country.generate(data, SIZE)

    # 2,000 dossiers, half a year, one file a month, every one in the manifest
    assert made.manifest.dossier_count == SIZE == sum(made.rows.values())
    assert sorted(made.manifest.dossiers) == [
        f"{y}{m:02d}" for y in (2024, 2025) for m in range(1, 13)
    ]
    con = stored_rows(data)
    assert con.execute(
        "SELECT received_month // 100, count(*) FROM d GROUP BY 1 ORDER BY 1"
    ).fetchall() == [(2024, 1000), (2025, 1000)]
    # the rows per receiving unit are the ones the generator planned
    in_files = dict(con.execute("SELECT unit_code, count(*) FROM d GROUP BY 1").fetchall())
    assert in_files == made.rows

    with Workspace(Settings(data_dir=data)) as workspace:
        computed = compute(workspace, full=True)
    assert computed.mode == "full" and computed.values_written > 0
    received = figures(data, "dossiers_received")

    with Workspace(Settings(data_dir=data)) as workspace:
        organisation = workspace.organisation()
    assert organisation is not None
    province_of = {
        unit.code: (unit.code if unit.parent == "VN" else str(unit.parent))
        for unit in organisation
        if unit.parent is not None
    }
    live = Counter()
    withdrawn = Counter()
    for unit, year, status in con.execute(
        "SELECT unit_code, received_month // 100, status FROM d"
    ).fetchall():
        (withdrawn if status == "withdrawn" else live)[(province_of[unit], str(year))] += 1
    assert sum(withdrawn.values()) < 0.05 * SIZE  # about 1% are withdrawn, and count nowhere
    assert len({p for p, _ in live}) == 34  # every province receives dossiers
    for (province, year), count in live.items():
        assert received[(province, year)] == count
    for year in ("2024", "2025"):
        withdrawn_in_year = sum(n for (_, y), n in withdrawn.items() if y == year)
        assert received[("VN", year)] == 1000 - withdrawn_in_year


def test_the_generated_store_is_what_an_import_of_its_rows_stores(
    country: ModuleType, tmp_path: Path
) -> None:
    """The same rows as a contract feed, imported: nothing rejected, the same figures."""
    direct = tmp_path / "direct"
    country.generate(direct, SIZE, seed=7)
    feed = tmp_path / "feed.parquet"
    con = stored_rows(direct)
    con.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
    con.execute(
        f"""COPY (SELECT dossier_id, procedure_code, unit_code, channel,
                make_timestamptz(received_at) AS received_at, make_timestamptz(due_at) AS due_at,
                make_timestamptz(finished_at) AS finished_at, status, fee_required, paid_online,
                input_digitized, result_digitized, make_timestamptz(updated_at) AS updated_at
            FROM d) TO '{feed}' (FORMAT parquet)"""
    )
    imported = tmp_path / "imported"
    with Workspace(Settings(data_dir=imported, plan_file=direct / "country-plan.yaml")) as ws:
        ws.initialise()
        result = import_files(ws, "dossiers", [feed])
    assert (result.rows, result.stored, result.rejected) == (SIZE, SIZE, 0)

    # the stored rows are the same (the import numbers rows its own way)
    columns = "* EXCLUDE (seq)"
    again = stored_rows(imported)
    mine = con.execute(f"SELECT {columns} FROM d ORDER BY dossier_id").fetchall()
    theirs = again.execute(f"SELECT {columns} FROM d ORDER BY dossier_id").fetchall()
    assert mine == theirs

    with Workspace(Settings(data_dir=direct)) as workspace:
        compute(workspace, full=True)
    for measure in ("dossiers_received", "dossiers_finished_on_time", "dossiers_overdue_open"):
        assert figures(direct, measure) == figures(imported, measure)
