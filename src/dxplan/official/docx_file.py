"""The official report as a Word document in the layout of Decree 30/2020/ND-CP, model 1.4.

A4 portrait, margins 20 mm top and bottom, 30 mm left, 15 mm right; Times New Roman
(Liberation Serif renders it on Linux); page numbers centred at the top from page 2.
The header is a borderless two-column table: the issuing agency and `Số: …/BC-…` at
the left, the national motto and the italic place-and-date line at the right. Then the
title `BÁO CÁO` and its summary, the body, `Nơi nhận:` beside the signature block, and
the annex table (`Phụ lục`) on a page of its own.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Final

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from dxplan.official.report import OfficialReport, Row
from dxplan.official.wording import Wording
from dxplan.reporting.completeness import LateReport, Standing

FONT: Final = "Times New Roman"
BODY_PT: Final = 13  # Decree 30: 13-14 pt for the body
PAGE: Final = {"width": Mm(210), "height": Mm(297)}
MARGINS: Final = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}


def annex_columns(_: Callable[[str], str]) -> tuple[tuple[str, float], ...]:
    """The annex table's column titles and widths in mm (165: the page inside its margins)."""
    return (
        (_("No."), 8),
        (_("Code"), 16),
        (_("Indicator"), 45),
        (_("Unit"), 11),
        (_("Target"), 15),
        (_("Value"), 16),
        (_("A year before"), 16),
        (_("Status"), 16),
        (_("Projection"), 22),
    )


LATE_NAMED: Final = 8  # units named per data set and period in the late reports


def _page_number_field(paragraph: Paragraph) -> None:
    """A PAGE field: Word and LibreOffice print the page's number there."""
    run = paragraph.add_run()
    begin, text, end = (
        OxmlElement("w:fldChar"),
        OxmlElement("w:instrText"),
        OxmlElement("w:fldChar"),
    )
    begin.set(qn("w:fldCharType"), "begin")
    text.set(qn("xml:space"), "preserve")
    text.text = "PAGE"
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, text, end):
        run._r.append(element)


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _widths(table: Table, widths: tuple[float, ...]) -> None:
    """Fixed column widths in mm (Word and LibreOffice read them from every cell)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)  # the grid, which LibreOffice follows
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)


def _line(
    container: _Cell | Document,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float = BODY_PT,
    align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.CENTER,
    first: bool = False,
) -> Paragraph:
    """A paragraph of one run (`first`: the cell's own empty first paragraph)."""
    paragraph = container.paragraphs[0] if first else container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    return paragraph


def _setup(document: Document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = Mm(10)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.rPr.rFonts
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT)
    # page numbers centred at the top, from page 2: the first page's header stays empty
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(number)


def _heading(document: Document, report: OfficialReport, words: Wording) -> None:
    _ = words._
    issuer = report.issuer
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, (70, 95))
    left, right = table.rows[0].cells
    first = True
    if issuer.superior is not None:
        _line(left, words.fmt.name(issuer.superior).upper(), size=12, first=True)
        first = False
    _line(left, words.fmt.name(issuer.agency).upper(), bold=True, size=12, first=first)
    _line(left, "―――――", size=8)
    _line(
        left,
        _("No.: {number}/BC-{abbreviation}").format(
            number="      ", abbreviation=issuer.abbreviation
        ),
    )
    _line(right, _("SOCIALIST REPUBLIC OF VIET NAM"), bold=True, size=12, first=True)
    _line(right, _("Independence - Freedom - Happiness"), bold=True, underline=True)
    _line(right, "")
    _line(right, words.date_line(words.fmt.name(issuer.place), report.as_of), italic=True)
    _line(document, "")
    _line(document, _("REPORT"), bold=True, size=14)
    summary = _("Results of {plan} in {period}").format(
        plan=words.fmt.name(report.plan.names), period=words.period(report.period)
    )
    if report.unit.parent is not None:  # a unit below the root
        summary += " – " + words.fmt.name(report.unit.names)
    _line(document, summary, bold=True)
    _line(document, "―――――", size=8)


def _paragraph(document: Document, text: str, *, bold: bool = False) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Mm(10)
    paragraph.paragraph_format.space_after = Pt(6)
    run = paragraph.add_run(text)
    run.bold = bold
    return paragraph


def _target_text(row: Row, report: OfficialReport, words: Wording) -> str:
    _ = words._
    i = row.indicator
    if i.target is None:
        return _("{code} {name}: {value} (monitored, no target).").format(
            code=i.code, name=words.fmt.name(i.names), value=words.value(row.value, i)
        )
    text = _("{code} {name}: {value} (target {target}; {status}").format(
        code=i.code,
        name=words.fmt.name(i.names),
        value=words.value(row.value, i),
        target=words.target(i),
        status=words.status(row.status).lower(),
    )
    if row.evaluation is not None and row.evaluation.projection is not None:
        text += _("; projected {projection}").format(projection=words.projection(row.evaluation))
    text += ")."
    if row.behind:
        names = ", ".join(
            f"{words.fmt.name(report.organisation[e.unit].names)} ({words.value(e.value, i)})"
            for e in row.behind
        )
        text += " " + _("Furthest from the target: {units}.").format(units=names)
    return text


def _body(document: Document, report: OfficialReport, words: Wording) -> None:
    _ = words._
    _paragraph(
        document,
        _("Figures as of {day}, from dxplan's evaluation of the plan ({period}).").format(
            day=words.day(report.as_of), period=str(report.period)
        ),
    )
    _paragraph(document, _("I. RESULTS BY PILLAR"), bold=True)
    for number, section in enumerate(report.sections, start=1):
        _paragraph(document, f"{number}. {words.fmt.name(section.pillar.names)}", bold=True)
        # indicators without a figure are listed once, below, and in the annex
        if all(row.value is None for row in section.rows):
            _paragraph(document, _("No figure of this pillar yet."))
        for row in section.rows:
            if row.value is not None:
                _paragraph(document, "- " + _target_text(row, report, words))
    if report.missing:
        _paragraph(
            document,
            _("No figure yet for {count} indicators: {codes}.").format(
                count=len(report.missing), codes=", ".join(i.code for i in report.missing)
            ),
        )
    _paragraph(document, _("II. LATE AND MISSING REPORTS"), bold=True)
    if not report.late:
        _paragraph(document, _("Every report due in the period was received on time."))
    groups: dict[tuple[str, str], list[LateReport]] = {}
    for late in report.late:
        groups.setdefault((late.dataset.code, str(late.period)), []).append(late)
    for rows in groups.values():
        missing = sum(1 for r in rows if r.status is Standing.MISSING)
        named = ", ".join(words.fmt.name(r.unit.names) for r in rows[:LATE_NAMED])
        more = len(rows) - LATE_NAMED
        _paragraph(
            document,
            "- "
            + _("{dataset}, {period}: {missing} missing and {late} late reports: {units}").format(
                dataset=words.fmt.name(rows[0].dataset.names),
                period=str(rows[0].period),
                missing=missing,
                late=len(rows) - missing,
                units=named,
            )
            + (_(" and {count} more").format(count=more) if more > 0 else "")
            + ".",
        )
    notes = report.notes
    for title, text in (
        (_("III. DIFFICULTIES AND OBSTACLES"), notes.difficulties if notes else ""),
        (_("IV. TASKS FOR THE NEXT PERIOD"), notes.next_tasks if notes else ""),
    ):
        _paragraph(document, title, bold=True)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for line in lines or [_("(not filled in yet)")]:
            _paragraph(document, line)


def _closing(document: Document, report: OfficialReport, words: Wording) -> None:
    _ = words._
    issuer = report.issuer
    _line(document, "")
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (85, 80))
    left, right = table.rows[0].cells
    _line(
        left,
        _("Recipients:"),
        bold=True,
        italic=True,
        size=12,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        first=True,
    )
    for recipient in issuer.recipients:
        _line(left, f"- {words.fmt.name(recipient)};", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(
        left,
        _("- Archived: {offices}.").format(offices=issuer.archive),
        size=11,
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    signer = issuer.signer
    for position, title in enumerate(signer.titles):
        _line(right, words.fmt.name(title).upper(), bold=True, first=position == 0)
    for _blank in range(4):  # room for the signature and the seal
        _line(right, "")
    _line(right, signer.name, bold=True)


def _annex(document: Document, report: OfficialReport, words: Wording) -> None:
    _ = words._
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _line(document, _("Annex"), bold=True, size=14)
    _line(
        document,
        _("(Attached to report No. {number}/BC-{abbreviation} of {day})").format(
            number="      ", abbreviation=report.issuer.abbreviation, day=words.day(report.as_of)
        ),
        italic=True,
    )
    _line(document, "")
    columns = annex_columns(_)
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, (title, _width) in zip(table.rows[0].cells, columns, strict=True):
        _line(cell, title, bold=True, size=10, first=True)
    # the title row is repeated at the top of every page the table runs onto
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for number, row in enumerate(report.rows, start=1):
        i = row.indicator
        texts = (
            str(number),
            i.code,
            words.fmt.name(i.names),
            words.unit_of_measure(i, report.plan),
            words.target(i),
            words.value(row.value, i),
            words.value(row.year_before, i),
            words.status(row.status),
            words.projection(row.evaluation),
        )
        cells = table.add_row().cells
        for position, (cell, text) in enumerate(zip(cells, texts, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if position == 2 else WD_ALIGN_PARAGRAPH.CENTER
            _line(cell, text, size=10, align=align, first=True)
    _widths(table, tuple(width for _title, width in columns))


def write_docx(report: OfficialReport, language: str = "vi") -> bytes:
    """The report as a .docx file's bytes, in `language`."""
    words = Wording(language)
    document = docx.Document()
    _setup(document)
    # the file's properties name the agency, not the library that wrote it
    properties = document.core_properties
    properties.author = properties.last_modified_by = words.fmt.name(report.issuer.agency)
    properties.title = f"{words._('REPORT')} {report.unit.code} {report.period}"
    properties.comments = ""
    properties.language = language
    _heading(document, report, words)
    _body(document, report, words)
    _closing(document, report, words)
    _annex(document, report, words)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
