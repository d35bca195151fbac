"""`dxplan tasks`: the list's exact contract, and the Excel task list both ways."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dxplan.settings import Settings
from dxplan.tasks.service import Tasks
from dxplan.workspace import Workspace

KEYS = ["code", "title", "unit_code", "kind", "due", "status", "progress"]


@pytest.fixture
def store(cli, tmp_path: Path):
    """An initialised data folder and a function opening its tasks service to write."""
    assert cli("init").exit_code == 0
    settings = Settings(data_dir=tmp_path / "data", as_of=date(2025, 11, 8))

    def write(action):  # type: ignore[no-untyped-def]
        with Workspace(settings) as workspace, workspace.writing() as conn:
            return action(Tasks.of(workspace, conn))

    return write


def test_list_json_is_the_contract(cli, store):
    store(lambda s: s.update_progress(None, "T-GOV-02", percent=45, progress="in_progress"))
    store(lambda s: s.update_progress(None, "T-GOV-04", percent=100, progress="done"))
    store(
        lambda s: s.register_breakthrough(
            None, "31135", 2025, title="Phường không tiền mặt", due=date(2025, 12, 20)
        )
    )
    result = cli("tasks", "list", "--year", "2025", "--as-of", "2025-11-08", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert all(list(row) == KEYS for row in rows)
    by_code = {row["code"]: row for row in rows}
    assert len(rows) == 19  # the plan's 18 tasks and one breakthrough task
    assert by_code["T-GOV-02"] == {
        "code": "T-GOV-02",
        "title": "Nâng cấp nền tảng tích hợp, chia sẻ dữ liệu dùng chung của thành phố (LGSP)",
        "unit_code": "92-SKHCN",
        "kind": "task",
        "due": "2025-06-30",
        "status": "overdue",  # due in June, 45% in November
        "progress": 45,
    }
    assert by_code["T-GOV-04"]["status"] == "done" and by_code["T-GOV-04"]["progress"] == 100
    assert by_code["T-GOV-05"]["status"] == "not_started" and by_code["T-GOV-05"]["progress"] == 0
    assert by_code["BT-2025-31135"]["kind"] == "breakthrough"
    assert by_code["T-OVR-01"]["kind"] == "breakthrough"  # the plan's own breakthrough task
    assert [r["due"] for r in rows] == sorted(r["due"] for r in rows)
    earlier = cli("tasks", "list", "--year", "2025", "--as-of", "2025-06-30", "--format", "json")
    assert {r["code"]: r for r in json.loads(earlier.stdout)}["T-GOV-02"]["status"] == "in_progress"


def test_list_by_unit_in_csv(cli, store):
    store(lambda s: s.update_progress(None, "T-GOV-09", percent=100, progress="done"))
    result = cli("tasks", "list", "--year", "2025", "--unit", "31135", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == KEYS
    assert rows[1:] == [
        [
            "T-GOV-09",
            "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính "
            "tại bộ phận một cửa phường Ninh Kiều",
            "31135",
            "task",
            "2025-09-30",
            "done",
            "100",
        ]
    ]
    supported = json.loads(
        cli("tasks", "list", "--year", "2025", "--unit", "92-VPUB", "--format", "json").stdout
    )
    assert {"T-GOV-01", "T-GOV-03"} <= {r["code"] for r in supported}  # supports, leads
    assert cli("tasks", "list", "--year", "2024", "--format", "json").stdout.strip() == "[]"


def test_list_refuses_a_bad_unit_and_date(cli, store):
    result = cli("tasks", "list", "--year", "2025", "--unit", "99999", "--format", "json")
    assert result.exit_code == 2 and "no unit is coded '99999'" in result.stderr
    result = cli("tasks", "list", "--year", "2025", "--as-of", "8/11/2025")
    assert result.exit_code == 2 and "--as-of: '8/11/2025' is not a date" in result.stderr


def _fill(path: Path, out: Path, cells: dict[str, object]) -> None:
    book = load_workbook(path)
    sheet = book["Tasks"]
    for ref, value in cells.items():
        sheet[ref] = value
    book.save(out)


def test_template_then_import_round_trip(cli, store, tmp_path):
    store(
        lambda s: s.update_progress(
            None, "T-GOV-05", percent=20, progress="in_progress", note="khởi động"
        )
    )
    template = tmp_path / "skhcn.xlsx"
    result = cli(
        "tasks",
        "template",
        "--unit",
        "92-SKHCN",
        "--year",
        "2025",
        "--language",
        "en",
        "--output",
        str(template),
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(template)
    sheet = book["Tasks"]
    assert "Instructions" in book.sheetnames
    listed = [sheet.cell(r, 1).value for r in range(7, 12)]
    assert listed == ["T-GOV-02", "T-GOV-01", "T-GOV-05", "T-OVR-01", "T-SOC-01"]  # by due date
    assert (sheet["D9"].value, sheet["E9"].value, sheet["F9"].value) == (
        20,
        "in_progress",
        "khởi động",
    )
    status_rule = next(v for v in sheet.data_validations.dataValidation if v.type == "list")
    assert status_rule.formula1 == '"not_started,in_progress,done"'
    filled = tmp_path / "filled.xlsx"
    _fill(
        template,
        filled,
        {
            "D7": 100,
            "E7": "done",
            "F7": "LGSP 2.0 đã vận hành",
            "D8": 85,
            "E8": "in_progress",
            "B12": "Tập huấn IOC cho 103 xã, phường",
            "C12": "2025-12-10",
            "D12": 30,
            "E12": "in_progress",
        },
    )
    result = cli("tasks", "import", str(filled))
    assert result.exit_code == 0, result.output
    assert "2 tasks updated, 1 added, 3 unchanged" in result.stdout
    rows = {
        r["code"]: r
        for r in json.loads(
            cli("tasks", "list", "--year", "2025", "--unit", "92-SKHCN", "--format", "json").stdout
        )
    }
    assert (rows["T-GOV-02"]["status"], rows["T-GOV-02"]["progress"]) == ("done", 100)
    assert (rows["T-GOV-01"]["status"], rows["T-GOV-01"]["progress"]) == ("overdue", 85)
    own = rows["U-92-SKHCN-01"]
    assert (own["title"], own["due"], own["progress"], own["kind"]) == (
        "Tập huấn IOC cho 103 xã, phường",
        "2025-12-10",
        30,
        "task",
    )
    again = cli("tasks", "import", str(filled))  # the listed tasks are unchanged now
    assert "0 tasks updated" in again.stdout


def test_bad_cells_are_each_named_and_nothing_is_stored(cli, store, tmp_path):
    template = tmp_path / "skhcn.xlsx"
    cli(
        "tasks",
        "template",
        "--unit",
        "92-SKHCN",
        "--year",
        "2025",
        "--language",
        "en",
        "--output",
        str(template),
    )
    bad = tmp_path / "bad.xlsx"
    _fill(
        template,
        bad,
        {
            "D7": 140,
            "E7": "in_progress",  # above 100
            "D8": 100,
            "E8": "in_progress",  # fine
            "D9": 50,
            "E9": "finished",  # not a status
            "D10": "nhiều",
            "E10": "in_progress",  # not a number
            "D11": 60,
            "E11": "done",  # done at 60
            "B13": "Việc mới",
            "C13": "31/12/2025",
            "D13": 0,
            "E13": "not_started",  # bad date
        },
    )
    before = cli("tasks", "list", "--year", "2025", "--unit", "92-SKHCN", "--format", "json").stdout
    result = cli("tasks", "import", str(bad))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert "Sheet 'Tasks', row 7, column D (progress): 140 is above 100" in lines
    assert (
        "Sheet 'Tasks', row 9, column E (status): "
        "'finished' is not not_started, in_progress or done" in lines
    )
    assert "Sheet 'Tasks', row 10, column D (progress): 'nhiều' is not a whole number" in lines
    assert "Sheet 'Tasks', row 11, column D (progress): a done task is at 100%, not 60%" in lines
    assert (
        "Sheet 'Tasks', row 13, column C (due): '31/12/2025' is not a date such as 2025-12-31"
        in lines
    )
    assert not any("row 8" in line for line in lines)
    assert "nothing was stored" in result.stderr
    after = cli("tasks", "list", "--year", "2025", "--unit", "92-SKHCN", "--format", "json").stdout
    assert after == before


def test_import_refuses_foreign_and_edited_files(cli, store, tmp_path):
    text = tmp_path / "notes.xlsx"
    text.write_bytes(b"not a workbook")
    result = cli("tasks", "import", str(text))
    assert result.exit_code == 2 and "not an Excel workbook" in result.stderr
    template = tmp_path / "t.xlsx"
    cli(
        "tasks",
        "template",
        "--unit",
        "92-SKHCN",
        "--year",
        "2025",
        "--language",
        "en",
        "--output",
        str(template),
    )
    moved = tmp_path / "moved.xlsx"
    _fill(template, moved, {"A7": "T-GOV-01", "A8": "T-GOV-02"})
    result = cli("tasks", "import", str(moved))
    assert result.exit_code == 2 and "structure of the template was changed" in result.stderr


def test_the_last_year_lists_no_task_rather_than_a_traceback(cli, store):
    """Year 9998's last day needed year 9999 (out of range): a ValueError traceback."""
    result = cli("tasks", "list", "--year", "9998", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "[]"
