"""Excel templates of reports: built, filled as a person would, and read back.

Plan and organisation come from the shipped plan file (no database), except one test
that goes through the reporting service on each store.
"""

from __future__ import annotations

import ast
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from dxplan.domain.account import Role, User
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period
from dxplan.domain.plan import Plan
from dxplan.i18n import load_translations
from dxplan.plans import DEFAULT_PLAN
from dxplan.reporting import spreadsheet
from dxplan.reporting.report import Invalid, Report
from dxplan.reporting.spreadsheet import (
    MAX_BYTES,
    SpreadsheetError,
    build_template,
    cell_of,
    cell_problems,
    read_upload,
)
from dxplan.store.submissions import StoredValues, Submission
from dxplan.workspace import Workspace, check_plan_file

SHEET = "Báo cáo"
CAI_KHE = "31120"  # Phường Cái Khế: the first ward in tree order
NINH_KIEU = "31135"  # Phường Ninh Kiều: the second


@pytest.fixture(scope="module")
def shipped() -> tuple[Plan, Organisation]:
    checked = check_plan_file(DEFAULT_PLAN)
    return checked.plan, checked.organisation


@pytest.fixture
def report(shipped: tuple[Plan, Organisation]) -> Callable[..., Report]:
    """A report of the shipped plan, built directly (values: a draft)."""
    plan, organisation = shipped

    def make(dataset: str, unit: str, period: str, values: StoredValues | None = None) -> Report:
        found = plan.dataset(dataset)
        assert found is not None
        submission = Submission(dataset, unit, period, values=values)
        return Report(
            found,
            unit,
            Period.parse(period),
            submission,
            found.value_units(organisation, unit),
        )

    return make


@pytest.fixture
def template(shipped: tuple[Plan, Organisation]) -> Callable[..., bytes]:
    plan, organisation = shipped

    def make(report: Report, previous: StoredValues | None = None, language: str = "vi") -> bytes:
        return build_template(report, plan, organisation, previous or {}, language)

    return make


def edit(data: bytes, change: Callable[[Any], None]) -> bytes:
    """Open a template as a person's spreadsheet program would, change it, save it."""
    book = load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fill(cells: dict[str, Any], sheet: str = SHEET) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        for reference, value in cells.items():
            book[sheet][reference] = value

    return change


def refused(data: bytes, report: Report) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        read_upload(data, report)
    return caught.value


# -- building -------------------------------------------------------------------------


def test_title_block_headers_and_rows_of_a_city_data_set(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    data = template(report("digital-transcripts", "92-SGDDT", "2025Q3"))
    sheet = load_workbook(io.BytesIO(data))[SHEET]
    assert sheet["A1"].value == "Học bạ số"
    assert sheet["B2"].value == "Sở Giáo dục và Đào tạo (92-SGDDT)"
    assert sheet["B3"].value == "2025Q3"
    assert sheet["B4"].value == "01/07/2025 – 30/09/2025"
    assert sheet["B5"].value == "15/10/2025"  # 15 days after the quarter
    assert [sheet.cell(9, c).value for c in range(1, 8)] == [
        "unit_code",
        "unit_name",
        "students",
        "students_with_digital_transcript",
        None,
        "previous:students",
        "previous:students_with_digital_transcript",
    ]
    assert sheet["A8"].value == "Mã"
    assert sheet["A10"].value == "92"  # the city's figure: one row
    assert sheet["B10"].value == "Thành phố Cần Thơ"
    assert sheet["A11"].value is None


def test_english_template(report: Callable[..., Report], template: Callable[..., bytes]) -> None:
    data = template(report("digital-transcripts", "92-SGDDT", "2025Q3"), language="en")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Report", "_dxplan"]
    sheet = book["Report"]
    assert sheet["A1"].value == "Digital school transcripts"
    assert sheet["B5"].value == "2025-10-15"


def test_per_commune_template_lists_every_commune_and_ward(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    data = template(report("digital-society-communes", "92-SKHCN", "2025-07"))
    sheet = load_workbook(io.BytesIO(data))[SHEET]
    assert sheet["B8"].value == "Xã, phường"
    assert (sheet["A10"].value, sheet["B10"].value) == (CAI_KHE, "Phường Cái Khế")
    assert (sheet["A11"].value, sheet["B11"].value) == (NINH_KIEU, "Phường Ninh Kiều")
    codes = [sheet.cell(row, 1).value for row in range(10, 120)]
    assert sum(code is not None for code in codes) == 103
    assert sheet["A113"].value is None
    assert sheet["G8"].value.endswith("(không bắt buộc)")  # smartphone_users is optional


def test_draft_and_last_period_are_shown(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    draft = report("past-results", NINH_KIEU, "2025Q3", {"past_results_valid": {NINH_KIEU: 120}})
    data = template(draft, {"past_results_valid": {NINH_KIEU: 95}})
    sheet = load_workbook(io.BytesIO(data))[SHEET]
    assert sheet["C10"].value == 120
    assert sheet["D10"].value is None
    assert sheet["F10"].value == 95  # last period, for reference
    assert "2025Q2" in sheet["F7"].value


def test_structure_is_protected_and_inputs_unlocked(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    data = template(report("past-results", NINH_KIEU, "2025Q3"))
    book = load_workbook(io.BytesIO(data))
    sheet = book[SHEET]
    assert sheet.protection.sheet is True
    assert book.security.lockStructure is True
    assert book["_dxplan"].sheet_state == "veryHidden"
    assert sheet["C10"].protection.locked is False
    assert sheet["D10"].protection.locked is False
    for locked in ("A1", "B2", "A10", "B10", "C8", "C9", "E10", "F10", "G10", "C11"):
        assert sheet[locked].protection.locked is True, locked


def test_excel_validates_numbers_and_ranges(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    data = template(report("past-results", NINH_KIEU, "2025Q3"))
    rules = load_workbook(io.BytesIO(data))[SHEET].data_validations.dataValidation
    by_range = {str(rule.sqref): rule for rule in rules}
    assert set(by_range) == {"C10", "D10"}
    assert (by_range["C10"].type, by_range["C10"].operator) == ("whole", "greaterThanOrEqual")
    assert by_range["C10"].formula1 == "0"
    assert by_range["C10"].error == "Nhập số nguyên không nhỏ hơn 0."

    data = template(report("dti-rank", "92-SKHCN", "2025"))
    (rank,) = load_workbook(io.BytesIO(data))[SHEET].data_validations.dataValidation
    assert (rank.type, rank.operator, rank.formula1, rank.formula2) == (
        "whole",
        "between",
        "1",
        "63",
    )

    data = template(report("digital-economy", "92-TK", "2025Q3"))
    rules = load_workbook(io.BytesIO(data))[SHEET].data_validations.dataValidation
    assert {rule.type for rule in rules} == {"decimal"}


# -- reading back ---------------------------------------------------------------------


def test_unit_template_round_trip(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    wanted = report("past-results", NINH_KIEU, "2025Q3")
    data = edit(template(wanted), fill({"C10": 1450, "D10": 1302}))
    assert read_upload(data, wanted) == {
        "past_results_valid": {NINH_KIEU: 1450.0},
        "past_results_digitized": {NINH_KIEU: 1302.0},
    }


def test_empty_cells_are_none_and_last_period_is_not_read(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    wanted = report("past-results", NINH_KIEU, "2025Q3")
    data = template(wanted, {"past_results_valid": {NINH_KIEU: 95}})
    assert read_upload(data, wanted) == {
        "past_results_valid": {NINH_KIEU: None},
        "past_results_digitized": {NINH_KIEU: None},
    }


def test_per_commune_round_trip(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    wanted = report("digital-society-communes", "92-SKHCN", "2025-07")
    data = edit(template(wanted), fill({"C10": 5400, "D10": 5100, "C11": 8200, "I11": 1}))
    values = read_upload(data, wanted)
    assert values["households"][CAI_KHE] == 5400
    assert values["households_with_fibre"][CAI_KHE] == 5100
    assert values["households"][NINH_KIEU] == 8200
    assert values["communes_with_5g"][NINH_KIEU] == 1
    assert values["adults"][CAI_KHE] is None
    assert len(values["households"]) == 103


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("vi", "1.234.567", 1234567.0),
        ("vi", "1,5", 1.5),
        ("vi", "1.234,5", 1234.5),
        ("vi", " 2 500 ", 2500.0),
        ("vi", "  ", None),
        ("en", "1,234,567", 1234567.0),
        ("en", "1.5", 1.5),
    ],
)
def test_numbers_typed_as_text(
    report: Callable[..., Report],
    template: Callable[..., bytes],
    language: str,
    typed: str,
    read: float | None,
) -> None:
    wanted = report("digital-economy", "92-TK", "2025Q3")
    sheet = "Báo cáo" if language == "vi" else "Report"
    data = edit(template(wanted, language=language), fill({"C10": typed}, sheet))
    assert read_upload(data, wanted)["grdp"] == {"92": read}


@pytest.mark.parametrize(
    ("language", "typed", "says"),
    [
        ("vi", "1.234", "can be read in two ways"),  # 1234 here, 1.234 in English
        ("vi", "1,500", "can be read in two ways"),
        ("vi", "1.5", "is not a number"),
        ("vi", "-", "is not a number"),
        ("en", "1,5", "is not a number"),
        ("en", "12%", "is not a number"),
    ],
)
def test_unclear_numbers_are_refused(
    report: Callable[..., Report],
    template: Callable[..., bytes],
    language: str,
    typed: str,
    says: str,
) -> None:
    wanted = report("digital-economy", "92-TK", "2025Q3")
    sheet = "Báo cáo" if language == "vi" else "Report"
    data = edit(template(wanted, language=language), fill({"C10": typed}, sheet))
    (problem,) = refused(data, wanted).problems
    assert (problem.sheet, problem.cell) == (sheet, "C10")
    assert says in problem.message


def test_text_in_a_cell_names_the_cell_the_measure_and_the_unit(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    wanted = report("digital-society-communes", "92-SKHCN", "2025-07")
    data = edit(template(wanted), fill({"C10": 5400, "E11": "abc", "D12": True}))
    error = refused(data, wanted)
    assert [p.reference for p in error.problems] == ["Báo cáo!E11", "Báo cáo!D12"]
    message = error.problems[0].message
    assert "Dân số trưởng thành" in message  # adults
    assert "Phường Ninh Kiều" in message
    assert "'abc' is not a number" in message


def test_formula_without_a_computed_value_is_refused(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    wanted = report("past-results", NINH_KIEU, "2025Q3")
    data = edit(template(wanted), fill({"C10": "=1400+50"}))
    (problem,) = refused(data, wanted).problems
    assert problem.cell == "C10"
    assert "=1400+50" in problem.message


# -- refused uploads ------------------------------------------------------------------


def test_empty_oversized_and_non_xlsx_files_are_refused(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    wanted = report("past-results", NINH_KIEU, "2025Q3")
    good = template(wanted)
    assert refused(b"", wanted).message == "The file is empty."
    assert "larger than 5 MB" in refused(b"x" * (MAX_BYTES + 1), wanted).message
    csv = b"measure,unit,value\npast_results_valid,31135,1450\n"
    assert "not an Excel workbook" in refused(csv, wanted).message
    assert "not an Excel workbook" in refused(good[: len(good) // 2], wanted).message
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as other:
        other.writestr("content.xml", "<office:document/>")  # an .ods, say
    assert "not an Excel workbook" in refused(archive.getvalue(), wanted).message


def test_a_damaged_workbook_is_refused(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    wanted = report("past-results", NINH_KIEU, "2025Q3")
    source = zipfile.ZipFile(io.BytesIO(template(wanted)))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as copy:
        for part in source.infolist():
            body = source.read(part)
            copy.writestr(
                part, b"<worksheet><sheetData><row" if "sheet1" in part.filename else body
            )
    assert "damaged" in refused(damaged.getvalue(), wanted).message


def test_an_unrelated_workbook_is_refused(report: Callable[..., Report]) -> None:
    book = Workbook()
    book.active.append(["past_results_valid", 1450])
    out = io.BytesIO()
    book.save(out)
    error = refused(out.getvalue(), report("past-results", NINH_KIEU, "2025Q3"))
    assert "not a dxplan template" in error.message


def test_another_periods_template_is_refused(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    data = template(report("past-results", NINH_KIEU, "2025Q2"))
    error = refused(data, report("past-results", NINH_KIEU, "2025Q3"))
    assert error.message == (
        "This template is for data set past-results, unit 31135, period 2025Q2, "
        "not for this report (data set past-results, unit 31135, period 2025Q3): "
        "download the template of this report."
    )


def test_another_data_sets_or_units_template_is_refused(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    data = template(report("digital-transcripts", "92-SGDDT", "2025Q3"))
    error = refused(data, report("e-commerce", "92-SCT", "2025Q3"))
    assert "data set digital-transcripts" in error.message
    assert "data set e-commerce" in error.message
    data = template(report("past-results", CAI_KHE, "2025Q3"))
    error = refused(data, report("past-results", NINH_KIEU, "2025Q3"))
    assert f"unit {CAI_KHE}" in error.message


@pytest.mark.parametrize(
    ("change", "cell"),
    [
        (lambda book: book[SHEET].insert_rows(11), "A11"),  # a row inside the table
        (lambda book: book[SHEET].delete_rows(10), "A10"),
        (lambda book: book[SHEET].insert_cols(4), "D9"),  # a column between measures
        (lambda book: book[SHEET].delete_cols(3), "C9"),
        (fill({"D9": "digitized"}), "D9"),  # a measure code changed
        (fill({"A11": "99999"}), "A11"),  # a unit code changed
        (fill({"C113": 12}), "C113"),  # something below the table
    ],
)
def test_an_edited_structure_is_refused(
    report: Callable[..., Report],
    template: Callable[..., bytes],
    change: Callable[[Any], None],
    cell: str,
) -> None:
    wanted = report("digital-society-communes", "92-SKHCN", "2025-07")
    data = edit(template(wanted), change)
    error = refused(data, wanted)
    assert "structure of the template was changed" in error.message
    assert [p.cell for p in error.problems] == [cell]


def test_an_edited_or_removed_identity_is_refused(
    report: Callable[..., Report], template: Callable[..., bytes]
) -> None:
    wanted = report("past-results", NINH_KIEU, "2025Q3")

    def rename_unit(book: Any) -> None:
        sheet = book["_dxplan"]
        for row in sheet.iter_rows():
            if row[0].value == "unit":
                row[1].value = CAI_KHE

    error = refused(edit(template(wanted), rename_unit), wanted)
    assert "identity sheet of the template was edited" in error.message

    def remove(book: Any) -> None:
        book.remove(book["_dxplan"])

    assert "not a dxplan template" in refused(edit(template(wanted), remove), wanted).message


def test_messages_are_translated_by_the_callers_gettext(
    report: Callable[..., Report],
) -> None:
    vietnamese = load_translations("vi").gettext
    with pytest.raises(SpreadsheetError) as caught:
        read_upload(b"", report("past-results", NINH_KIEU, "2025Q3"), gettext=vietnamese)
    assert caught.value.message == "Tệp rỗng."


def test_every_message_has_a_vietnamese_translation() -> None:
    package = Path(spreadsheet.__file__).parent  # the template, upload and layout modules
    source = "\n".join(p.read_text("utf-8") for p in sorted(package.glob("*.py")))
    msgids = {
        str(node.args[0].value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name | ast.Attribute)
        and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("_", "gettext")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    vietnamese = load_translations("vi").gettext
    assert len(msgids) > 30
    assert [m for m in sorted(msgids) if vietnamese(m) == m] == []


# -- findings of the service mapped to cells ------------------------------------------


def test_cell_of(report: Callable[..., Report]) -> None:
    communes = report("digital-society-communes", "92-SKHCN", "2025-07")
    assert cell_of(communes, "households", CAI_KHE) == "Báo cáo!C10"
    assert cell_of(communes, "households_with_fibre", NINH_KIEU) == "Báo cáo!D11"
    assert cell_of(communes, "households_with_fibre", NINH_KIEU, "en") == "Report!D11"
    with pytest.raises(ValueError, match="carries no value"):
        cell_of(communes, "students", CAI_KHE)


def test_upload_saved_through_the_service(workspace: Workspace) -> None:
    reporter = User(1, "sgddt", "Sở GD&ĐT", Role.REPORTER, ("92-SGDDT",))
    plan, organisation = workspace.plan(), workspace.organisation()
    assert plan is not None and organisation is not None
    with workspace.engine.begin() as conn:
        service = workspace.reporting(conn)
        opened = service.open(reporter, "digital-transcripts", "92-SGDDT", "2025Q3")
        data = build_template(opened, plan, organisation, service.previous_values(opened), "vi")
        too_many = edit(data, fill({"C10": 1000, "D10": 1200}))  # more with transcripts
        with pytest.raises(Invalid) as caught:
            service.save(reporter, opened, read_upload(too_many, opened))
        (problem,) = cell_problems(caught.value.findings, opened)
        assert problem.reference == "Báo cáo!D10"
        good = edit(data, fill({"C10": 1000, "D10": 800}))
        saved = service.save(reporter, opened, read_upload(good, opened))
    assert saved.values_json() == {"students": 1000, "students_with_digital_transcript": 800}
    assert saved.submission.version == 1
