"""The corpus of broken files: each gets its documented error and changes nothing."""

from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
SEED = "S1,1.000001,31120,online,2025-05-01 08:00:00,,,processing,false,false,true,true,"

# file: (exit code, fragments the messages must hold)
CASES = {
    "empty.csv": (2, ["the file is empty", "nothing was stored"]),
    "no-header.csv": (2, ["missing columns", "is the header row there?"]),
    "missing-column.csv": (2, ["missing columns channel, status", "nothing was stored"]),
    "wrong-encoding-cp1258.csv": (2, ["not UTF-8"]),
    "wrong-encoding-utf16.csv": (2, ["not UTF-8"]),
    "truncated.parquet": (2, ["not a readable Parquet file"]),
    "wrong-types.csv": (
        3,
        [
            "wrong-types.csv:2: error [not-a-choice] channel: 'fax' is not one of online, "
            "direct, postal",
            "wrong-types.csv:3: error [not-a-choice] status: 'pending'",
            "wrong-types.csv:4: error [not-boolean] fee_required: 'maybe'",
            "wrong-types.csv:5: error [paid-online-without-fee]",
            "wrong-types.csv:6: error [unknown-unit] unit_code: unit '00000' is unknown",
            "wrong-types.csv:7: error [missing-value] procedure_code is required",
            "wrong-types.csv:8: error [finished-at-not-finished]",
            "wrong-types.csv:9: error [finished-without-finished-at]",
            "wrong-types.csv:10: error [due-before-received]",
            "9 rows read from 1 file(s), 0 valid, 9 rejected",
        ],
    ),
    "odd-timestamps.csv": (
        3,
        [
            "odd-timestamps.csv:2: error [not-timestamp] received_at: '01/07/2025 08:00'",
            "odd-timestamps.csv:3: error [not-timestamp] received_at: '2025-07-01'",
            "odd-timestamps.csv:4: error [not-timestamp] received_at: '1751332500'",
            "odd-timestamps.csv:5: error [not-timestamp] received_at: '2025-07-32 08:00:00'",
            "odd-timestamps.csv:6: error [not-timestamp]",  # an offset of +25:00
            "odd-timestamps.csv:7: error [not-timestamp] received_at: '1 July 2025, 8am'",
            "0 valid, 6 rejected",
        ],
    ),
    "not-json-lines.jsonl": (
        3,
        [":2: error [malformed-row] not JSON", ":3: error [malformed-row]"],
    ),
    "ragged-row.csv": (3, ["[malformed-row] expected 13 fields, found 15"]),
}
CHANGES = {"not-json-lines.jsonl"}  # its first line is a good dossier: stored


@pytest.fixture
def seeded(initialised, dossier_file, tmp_path):
    assert initialised("import", "dossiers", dossier_file(SEED)).exit_code == 0
    return tmp_path / "data" / "operational" / "CURRENT"


@pytest.mark.parametrize("name", CASES)
def test_broken_file(initialised, seeded, measures, name):
    code, fragments = CASES[name]
    before, current = measures(), seeded.read_text()
    result = initialised("import", "dossiers", str(CORPUS / name))
    assert result.exit_code == code, result.output
    for fragment in fragments:
        assert fragment in result.output, f"{fragment!r} not in:\n{result.output}"
    if name not in CHANGES:
        assert seeded.read_text() == current, "a new snapshot was written"
        assert measures() == before


def test_a_bad_file_among_good_ones_stores_nothing(initialised, seeded, dossier_file, measures):
    before = measures()
    good = dossier_file(
        "G1,1.000001,31135,online,2025-07-01 08:00:00,,,processing,false,false,true,true,"
    )
    result = initialised("import", "dossiers", good, str(CORPUS / "truncated.parquet"))
    assert result.exit_code == 2
    assert measures() == before


def test_a_ten_megabyte_field_is_rejected_not_fatal(initialised, seeded, tmp_path, measures):
    path = tmp_path / "huge.csv"
    huge = "X" * (10 << 20)
    from tests.ingest.conftest import HEADER

    path.write_text(
        f"{HEADER}\n{huge},1.000001,31135,online,2025-07-01 08:00:00,,,processing,"
        "false,false,true,true,\n",
        encoding="utf-8",
    )
    before = measures()
    result = initialised("import", "dossiers", str(path))
    assert result.exit_code == 3
    assert "[too-long] dossier_id is longer than 64 characters" in result.output
    assert len(result.output) < 5000, "the report quotes a short excerpt, not 10 MB"
    assert measures() == before


def test_duplicate_rows_in_one_file_are_one_dossier(initialised, seeded, measures):
    result = initialised("import", "dossiers", str(CORPUS / "duplicate-rows.csv"))
    assert result.exit_code == 0
    assert measures()[("dossiers_received", "31135", "2025-07")] == 1


def test_the_full_report_goes_to_a_csv_file(initialised, seeded, tmp_path):
    report = tmp_path / "errors.csv"
    result = initialised(
        "import", "dossiers", str(CORPUS / "wrong-types.csv"), "--errors", str(report)
    )
    assert result.exit_code == 3
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "file,row,column,code,severity,message"
    assert len(lines) == 1 + 9
    assert any(",6,unit_code,unknown-unit,error," in line for line in lines)


def test_unknown_procedure_is_a_warning_and_the_row_is_stored(initialised, tmp_path, measures):
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "procedure_code,name,agency_code,level,online_level,on_national_portal,has_fee,"
        "online_payment\n1.000001,Cấp giấy phép xây dựng,92-SXD,city,full,true,true,true\n",
        encoding="utf-8",
    )
    assert initialised("import", "procedures", str(catalog)).exit_code == 0
    from tests.ingest.conftest import HEADER

    path = tmp_path / "d.csv"
    path.write_text(
        f"{HEADER}\nW1,9.999999,31135,online,2025-07-01 08:00:00,,,processing,"
        "false,false,true,true,\n",
        encoding="utf-8",
    )
    result = initialised("import", "dossiers", str(path))
    assert result.exit_code == 0
    assert "warning [unknown-procedure] procedure '9.999999' is not in the catalog" in result.output
    assert measures()[("dossiers_received", "31135", "2025-07")] == 1


def test_dossiers_are_not_read_from_a_spreadsheet(initialised, tmp_path):
    path = tmp_path / "dossiers.xlsx"
    path.write_bytes(b"PK\x03\x04")
    result = initialised("import", "dossiers", str(path))
    assert result.exit_code == 2
    assert "unknown file type '.xlsx': use one of .csv, .jsonl, .ndjson, .parquet" in result.output


def test_an_empty_unit_is_one_error(initialised, dossier_file):
    path = dossier_file(
        "E1,1.000001,,online,2025-07-01 08:00:00,,,processing,false,false,true,true,"
    )
    result = initialised("import", "dossiers", path)
    assert result.exit_code == 3
    assert "[missing-value] unit_code is required" in result.output
    assert "unknown-unit" not in result.output
