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


def _rows(statuses, units, procedures):
    n = len(statuses)
    return pa.table(
        {
            "dossier_id": [f"Q{i + 1}" for i in range(n)],
            "procedure_code": procedures,
            "unit_code": units,
            "channel": ["direct"] * n,
            "received_at": pa.array([datetime(2025, 7, 1, 8, 0)] * n, pa.timestamp("us")),
            "status": statuses,
            "fee_required": pa.array([False] * n),
            "paid_online": pa.array([False] * n),
            "input_digitized": pa.array([True] * n),
            "result_digitized": pa.array([False] * n),
        }
    )


def test_errors_and_warnings_in_a_parquet_file_name_their_record(initialised, tmp_path, measures):
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "procedure_code,name,agency_code,level,online_level,on_national_portal,has_fee,"
        "online_payment\n1.000001,Cấp giấy phép xây dựng,92-SXD,city,full,true,true,true\n",
        encoding="utf-8",
    )
    assert initialised("import", "procedures", str(catalog)).exit_code == 0
    path = tmp_path / "mixed.parquet"
    # record 3: an unknown status; record 4: an unknown procedure (stored, a warning);
    # record 5: no unit; records 1, 2 and 4 are stored
    table = _rows(
        ["processing", "processing", "pending", "processing", "processing"],
        ["31135", "31135", "31135", "31135", None],
        ["1.000001", "1.000001", "1.000001", "9.999999", "1.000001"],
    )
    pq.write_table(table, path, row_group_size=2)  # records span three row groups
    result = initialised("import", "dossiers", str(path))
    assert result.exit_code == 3, result.output
    assert (
        "mixed.parquet:3: error [not-a-choice] status: 'pending' is not one of processing, "
        "finished, withdrawn" in result.output
    )
    assert "mixed.parquet:4: warning [unknown-procedure] procedure '9.999999'" in result.output
    assert "mixed.parquet:5: error [missing-value] unit_code is required" in result.output
    assert "5 rows read from 1 file(s), 3 valid, 2 rejected" in result.output
    assert measures()[("dossiers_received", "31135", "2025-07")] == 3


def test_a_column_named_like_another_but_for_case_is_ignored(initialised, tmp_path, measures):
    # names are case-sensitive in the contract; DuckDB's are not, and would read `Status`
    path = tmp_path / "cased.parquet"
    table = _rows(["processing"], ["31135"], ["1.000001"])
    pq.write_table(table.add_column(0, "Status", pa.array(["pending"])), path)
    result = initialised("import", "dossiers", str(path))
    assert result.exit_code == 0, result.output
    assert measures()[("dossiers_received", "31135", "2025-07")] == 1
