"""Typed Parquet columns are read as they are: naive timestamps are local time."""

from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq


def _table(received, tz, fee):
    return pa.table(
        {
            "dossier_id": ["P1"],
            "procedure_code": ["1.000001"],
            "unit_code": ["31135"],
            "channel": ["online"],
            "received_at": pa.array([received], pa.timestamp("us", tz=tz)),
            "status": ["processing"],
            "fee_required": pa.array([fee], pa.bool_()),
            "paid_online": [False],
            "input_digitized": [True],
            "result_digitized": [False],
        }
    )


def test_naive_parquet_timestamps_are_local_and_aware_ones_are_instants(
    initialised, tmp_path, measures
):
    naive = tmp_path / "naive.parquet"
    # 23:30 on 30 June, Can Tho time: June
    pq.write_table(_table(datetime(2025, 6, 30, 23, 30), None, False), naive)
    assert initialised("import", "dossiers", str(naive)).exit_code == 0
    assert measures()[("dossiers_received", "31135", "2025-06")] == 1
    aware = tmp_path / "aware.parquet"
    # 17:30 UTC on 30 June is 00:30 on 1 July in Can Tho: July
    pq.write_table(_table(datetime(2025, 6, 30, 17, 30, tzinfo=UTC), "UTC", False), aware)
    assert initialised("import", "dossiers", str(aware)).exit_code == 0
    found = measures()
    assert found.get(("dossiers_received", "31135", "2025-06"), 0) == 0
    assert found[("dossiers_received", "31135", "2025-07")] == 1


def test_a_missing_typed_value_is_reported(initialised, tmp_path):
    path = tmp_path / "missing.parquet"
    pq.write_table(_table(datetime(2025, 7, 1, 8, 0), None, None), path)
    result = initialised("import", "dossiers", str(path))
    assert result.exit_code == 3
    assert "missing.parquet:1: error [missing-value] fee_required is required" in result.output
