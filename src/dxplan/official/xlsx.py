"""The report's annex as a workbook: the annex table, every unit's figures, metadata.

Sheet 1 (`Phụ lục`): the annex table of the DOCX, one row per indicator, with numbers
as numbers (ratios in percent). Sheet 2: one row per indicator and unit for the period
and each shorter period inside it that has figures (the rows `dxplan indicators
export` prints for them). Sheet 3: the as-of date, the plan's code and version, and
when the newest figure was recorded.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from dxplan.exports.cells import safe_cell
from dxplan.official.report import OfficialReport
from dxplan.official.wording import Wording


def annex_header(_: Callable[[str], str]) -> tuple[str, ...]:
    return (
        _("Code"),
        _("Indicator"),
        _("Unit"),
        _("Target operator"),
        _("Target"),
        _("Value"),
        _("A year before"),
        _("Status"),
        _("Projection"),
        _("Projection low"),
        _("Projection high"),
    )


def figures_header(_: Callable[[str], str]) -> tuple[str, ...]:
    return (
        _("Code"),
        _("Unit code"),
        _("Unit name"),
        _("Period"),
        _("Numerator"),
        _("Denominator"),
        _("Value"),
    )


def _sheet_title(text: str) -> str:
    """A worksheet name: at most 31 characters, none of []:*?/\\."""
    return "".join(c for c in text if c not in "[]:*?/\\")[:31] or "Sheet"


def _append(sheet: Any, row: tuple[Any, ...]) -> None:
    sheet.append([safe_cell(cell) for cell in row])


def write_xlsx(report: OfficialReport, language: str = "vi") -> bytes:
    """The workbook's bytes, with headers in `language`."""
    words = Wording(language)
    _ = words._
    book = Workbook()
    annex = book.active
    annex.title = _sheet_title(_("Annex"))
    _append(annex, annex_header(_))
    for row in report.rows:
        i, e = row.indicator, row.evaluation
        projection = e.projection if e is not None else None
        _append(
            annex,
            (
                i.code,
                words.fmt.name(i.names),
                words.unit_of_measure(i, report.plan),
                i.target.op if i.target is not None else None,
                i.target.value if i.target is not None else None,
                row.value,
                row.year_before,
                words.status(row.status),
                projection.value if projection is not None else None,
                projection.low if projection is not None else None,
                projection.high if projection is not None else None,
            ),
        )
    figures = book.create_sheet(_sheet_title(_("Figures by unit")))
    _append(figures, figures_header(_))
    for reading, unit in report.figures:
        _append(
            figures,
            (
                reading.indicator,
                unit.code,
                words.fmt.name(unit.names),
                str(reading.period),
                reading.numerator,
                reading.denominator,
                reading.value,
            ),
        )
    about = book.create_sheet(_sheet_title(_("Metadata")))
    freshness = report.freshness.isoformat() if report.freshness is not None else None
    for key, value in (
        (_("Unit"), f"{report.unit.code} {words.fmt.name(report.unit.names)}"),
        (_("Period"), str(report.period)),
        (_("As of"), report.as_of.isoformat()),
        (_("Plan"), report.plan.code),
        (_("Plan version"), report.plan_version),
        (_("Newest figure recorded at"), freshness),
        (_("Indicators without a figure"), ", ".join(i.code for i in report.missing)),
    ):
        _append(about, (key, value))
    for sheet in (annex, figures, about):
        for cell in sheet[1] if sheet is not about else sheet["A"]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
