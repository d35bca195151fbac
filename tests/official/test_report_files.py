"""The official report's DOCX and XLSX: Decree 30's layout and the evaluation's figures.

The figures are those of tests/dashboard_values.py for 2025Q3 as of 2025-11-08:
GOV-01 (a stock) is September's 66 of 100 procedures online, 66 %, against ≥ 100 %:
the quarter is over, not achieved; its agencies furthest from the target are the
Department of Justice (18 of 40 in September: 45 %) then Construction (48 of 60: 80 %).
GOV-03 (a flow) is 255 of 300 dossiers online in the quarter, 85 %; a year before
(2024Q3) 210 of 300, 70 %. The annex and the XLSX must carry what `dxplan evaluate
--format json` and `dxplan indicators export` say, compared cell by cell.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from openpyxl import load_workbook

from dxplan.domain.period import Period

Cli = Callable[..., Any]
PERIOD = "2025Q3"


def _write(store: Cli, tmp_path: Path, fmt: str, *args: str) -> Path:
    output = tmp_path / f"report.{fmt}"
    result = store("report", "--period", PERIOD, "--format", fmt, "--output", str(output), *args)
    assert result.exit_code == 0, result.output
    return output


def _evaluation(store: Cli, unit: str = "92") -> dict[str, dict[str, Any]]:
    result = store("evaluate", "--period", PERIOD, "--unit", unit, "--format", "json")
    assert result.exit_code == 0, result.output
    return {row["indicator"]: row for row in json.loads(result.stdout)}


def _texts(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs]


def _cell_texts(table: Any) -> list[str]:
    return [p.text for cell in table.rows[0].cells for p in cell.paragraphs]


def test_the_page_layout_of_decree_30(store: Cli, tmp_path: Path) -> None:
    document = docx.Document(str(_write(store, tmp_path, "docx")))
    section = document.sections[0]
    # Word keeps lengths in twips (1/1440 inch): compare in whole millimetres
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert 13 <= normal.font.size.pt <= 14
    # page numbers: none on page 1, a centred PAGE field on the others
    assert section.different_first_page_header_footer
    assert not "".join(p.text for p in section.first_page_header.paragraphs).strip()
    number = section.header.paragraphs[0]
    assert number.alignment == 1  # centre
    assert "PAGE" in number._p.xml
    assert document.core_properties.author == "Ủy ban nhân dân thành phố Cần Thơ"


def test_the_heading_and_the_closing(store: Cli, tmp_path: Path) -> None:
    document = docx.Document(str(_write(store, tmp_path, "docx")))
    heading, closing = document.tables[0], document.tables[1]
    left, right = heading.rows[0].cells
    agency = left.paragraphs[0]
    assert agency.text == "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ"  # the plan's issuer, capitals
    assert agency.runs[0].bold
    assert any(p.text.replace(" ", "") == "Số:/BC-UBND" for p in left.paragraphs)
    motto = [p for p in right.paragraphs if p.text]
    assert motto[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and motto[0].runs[0].bold
    assert motto[1].text == "Độc lập - Tự do - Hạnh phúc" and motto[1].runs[0].underline
    assert motto[2].text == "Cần Thơ, ngày 08 tháng 11 năm 2025"  # leading zeros
    assert motto[2].runs[0].italic
    texts = _texts(document)
    title = texts.index("BÁO CÁO")
    assert texts[title + 1].startswith("Kết quả thực hiện Kế hoạch chuyển đổi số")
    assert texts[title + 1].endswith("quý III năm 2025")
    recipients = [p.text for p in closing.rows[0].cells[0].paragraphs]
    assert recipients[0] == "Nơi nhận:"
    assert recipients[1] == "- Bộ Khoa học và Công nghệ;"
    assert recipients[-1] == "- Lưu: VT, VP."
    signature = [p.text for p in closing.rows[0].cells[1].paragraphs if p.text]
    assert signature == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Họ và tên người ký",
    ]


def test_the_body_names_the_units_behind(store: Cli, tmp_path: Path) -> None:
    texts = _texts(docx.Document(str(_write(store, tmp_path, "docx"))))
    gov01 = next(t for t in texts if t.startswith("- GOV-01 "))
    assert ": 66,0% (chỉ tiêu ≥ 100%; không đạt" in gov01
    assert gov01.endswith(
        "Các đơn vị còn xa chỉ tiêu nhất: Sở Tư pháp (45,0%), Sở Xây dựng (80,0%)."
    )
    # the 23 indicators without a figure (all but GOV-01, GOV-03, GOV-10 and SOC-02) are
    # listed once, not one by one
    assert not any(t.startswith("- GOV-02 ") for t in texts)
    assert any(t.startswith("Chưa có số liệu của 23 chỉ tiêu: GOV-02, GOV-04,") for t in texts)
    assert "III. KHÓ KHĂN, VƯỚNG MẮC" in texts and "IV. NHIỆM VỤ TRỌNG TÂM KỲ TỚI" in texts


def test_the_annex_table_is_the_evaluation(store: Cli, tmp_path: Path) -> None:
    document = docx.Document(str(_write(store, tmp_path, "docx", "--language", "en")))
    annex = document.tables[2]
    header = [cell.text for cell in annex.rows[0].cells]
    assert header[:3] == ["No.", "Code", "Indicator"]
    assert "w:tblHeader" in annex.rows[0]._tr.xml  # repeated on every page
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in annex.rows[1:]}
    evaluation = _evaluation(store)
    assert set(rows) == set(evaluation)  # every indicator of the plan, once
    # the quarter is over: its projection is September's value itself
    assert rows["GOV-01"][4:9] == ["≥ 100%", "66.0%", "—", "Not achieved", "66.0% (66.0%–66.0%)"]
    assert rows["GOV-03"][5:8] == ["85.0%", "70.0%", "Achieved"]
    assert rows["GOV-10"][7] == "Monitored"
    for code, row in rows.items():
        expected = evaluation[code]["value"]
        assert row[5] == ("—" if expected is None else f"{expected:.1f}%"), code


def test_the_workbook_carries_the_same_numbers(store: Cli, tmp_path: Path) -> None:
    book = load_workbook(_write(store, tmp_path, "xlsx"))
    annex, figures, about = book.worksheets
    assert annex.title == "Phụ lục"
    evaluation = _evaluation(store)
    header = [c.value for c in annex[1]]
    code_at, value_at = header.index("Mã"), header.index("Giá trị")
    found = {row[code_at]: row[value_at] for row in annex.iter_rows(min_row=2, values_only=True)}
    assert found == {code: row["value"] for code, row in evaluation.items()}
    assert isinstance(found["GOV-03"], int | float)  # a number (85), not text
    # sheet 2: every row of `dxplan indicators export` inside the quarter, as numbers
    exported = store("indicators", "export")
    assert exported.exit_code == 0
    quarter = Period.parse(PERIOD)
    expected = {
        (r["indicator"], r["unit_code"], r["period"]): float(r["value"]) if r["value"] else None
        for r in csv.DictReader(io.StringIO(exported.stdout))
        if quarter.contains(Period.parse(r["period"]))
    }
    rows = list(figures.iter_rows(min_row=2, values_only=True))
    assert {(r[0], r[1], r[3]): r[6] for r in rows} == expected
    assert len(rows) == len(expected) > 0
    assert ("GOV-01", "92-STP", "Sở Tư pháp", "2025-09", 18, 40, 45) in rows
    metadata = {row[0]: row[1] for row in about.iter_rows(values_only=True)}
    assert metadata["Kỳ"] == PERIOD and metadata["Kế hoạch"] == "cantho-dx-2025"
    assert metadata["Phiên bản kế hoạch"] == 1


def test_a_commune_gets_its_own_report(store: Cli, tmp_path: Path) -> None:
    document = docx.Document(str(_write(store, tmp_path, "docx", "--unit", "31135")))
    # headed by the ward's own issuer (the plan's issuer: units: "31135"), its superior above
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs][:2] == [
        "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ",
        "ỦY BAN NHÂN DÂN PHƯỜNG NINH KIỀU",
    ]
    assert "Ninh Kiều, ngày 08 tháng 11 năm 2025" in [p.text for p in right.paragraphs]
    closing = document.tables[1].rows[0].cells[0].paragraphs
    assert closing[-1].text == "- Lưu: VT."
    texts = _texts(document)
    assert texts[texts.index("BÁO CÁO") + 1].endswith("– Phường Ninh Kiều")
    rows = {row.cells[1].text: row.cells[5].text for row in document.tables[2].rows[1:]}
    # Ninh Kiều: 400 of 1,000 households in July to September: 40 %
    assert rows["SOC-02"] == "40,0%" and rows["GOV-01"] == "—"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2025Q5"), "is not a period"),
        (("--period", "2026Q1"), "has not begun"),
        (("--period", PERIOD, "--unit", "99999"), "'99999' is not a unit of the organisation"),
        (("--period", PERIOD, "--as-of", "8/11/2025"), "is not a date"),
        (("--period", PERIOD, "--as-of", "9999-12-31"), "is past 9998-06-30"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    store: Cli, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    output = tmp_path / "report.docx"
    result = store("report", *args, "--format", "docx", "--output", str(output))
    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.glob("report.docx*")) == []


def test_an_output_that_cannot_be_written_is_a_clear_error(store: Cli, tmp_path: Path) -> None:
    output = tmp_path / "no-such-folder" / "report.docx"
    result = store("report", "--period", PERIOD, "--format", "docx", "--output", str(output))
    assert result.exit_code == 1
    assert "--output: cannot write" in result.output
    assert not output.parent.exists()


def test_a_period_without_figures_says_what_is_missing(store: Cli, tmp_path: Path) -> None:
    output = tmp_path / "report.docx"
    result = store("report", "--period", "2023Q1", "--format", "docx", "--output", str(output))
    assert result.exit_code == 0, result.output
    assert "27 indicators, 27 without a figure" in result.output
    texts = _texts(docx.Document(str(output)))
    assert any(t.startswith("Chưa có số liệu của 27 chỉ tiêu: GOV-01, GOV-02") for t in texts)
