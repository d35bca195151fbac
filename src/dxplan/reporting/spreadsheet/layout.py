"""What templates and uploads share: the layout, the identity sheet, errors, cells."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from openpyxl.styles import Border, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter

from dxplan.domain.validation import Finding
from dxplan.i18n import load_translations
from dxplan.reporting.report import Report, ReportingError

Gettext = Callable[[str], str]

FORMAT: Final = 1  # bump when the layout changes: older templates are then refused
IDENTITY_SHEET: Final = "_dxplan"
MAX_BYTES: Final = 5 * 1024 * 1024  # an upload larger than this is refused
MAX_UNPACKED: Final = 50 * 1024 * 1024  # the same for its unpacked parts (zip bombs)
PASSWORD: Final = "dxplan"  # not a secret: it only keeps the structure from slips

# Layout of the visible sheet (format 1).
TITLE_ROW: Final = 1
GROUP_ROW: Final = 7
HEADER_ROW: Final = 8
CODE_ROW: Final = 9
FIRST_ROW: Final = 10
CODE_COL: Final = 1
NAME_COL: Final = 2
FIRST_MEASURE_COL: Final = 3
UNIT_CODE: Final = "unit_code"
UNIT_NAME: Final = "unit_name"
PREVIOUS: Final = "previous:"

_INPUT_FILL: Final = PatternFill("solid", fgColor="FFFFFFFF")
_LOCKED_FILL: Final = PatternFill("solid", fgColor="FFF2F2F2")
_HEADER_FILL: Final = PatternFill("solid", fgColor="FFDDEBF7")
_PREVIOUS_FILL: Final = PatternFill("solid", fgColor="FFE7E6E6")
_THIN: Final = Side(style="thin", color="FFBFBFBF")
_BOX: Final = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNLOCKED: Final = Protection(locked=False)


def _same(message: str) -> str:
    return message


@dataclass(frozen=True)
class CellProblem:
    """Why one cell of an upload was refused, in the reader's language."""

    sheet: str
    cell: str
    message: str

    @property
    def reference(self) -> str:
        """The cell as a person looks for it: `Báo cáo!D12`."""
        return f"{self.sheet}!{self.cell}"

    def as_json(self) -> dict[str, str]:
        return {"sheet": self.sheet, "cell": self.cell, "message": self.message}


@dataclass
class SpreadsheetError(ReportingError):
    """An upload refused as a whole: nothing was read into the report."""

    message: str
    problems: list[CellProblem] = field(default_factory=list)
    status = 422

    def __str__(self) -> str:
        cells = "; ".join(f"{p.reference}: {p.message}" for p in self.problems)
        return f"{self.message} ({cells})" if cells else self.message

    def as_json(self) -> dict[str, Any]:
        return {"message": self.message, "problems": [p.as_json() for p in self.problems]}


@dataclass(frozen=True)
class _Identity:
    """What a template is for and how its table is laid out."""

    dataset: str
    unit: str
    period: str
    language: str
    sheet: str
    measures: list[str]
    units: list[str]
    draft_version: int
    format: int = FORMAT

    def content(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "dataset": self.dataset,
            "unit": self.unit,
            "period": self.period,
            "language": self.language,
            "sheet": self.sheet,
            "measures": self.measures,
            "units": self.units,
            "draft_version": self.draft_version,
        }

    @property
    def fingerprint(self) -> str:
        text = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def rows(self) -> list[tuple[str, str]]:
        listed = {"measures", "units"}
        return [
            (key, json.dumps(value) if key in listed else str(value))
            for key, value in self.content().items()
        ] + [("fingerprint", self.fingerprint)]

    @property
    def code_row(self) -> list[str | None]:
        """Row CODE_ROW of the visible sheet, from column A on."""
        return [
            UNIT_CODE,
            UNIT_NAME,
            *self.measures,
            None,
            *(PREVIOUS + m for m in self.measures),
        ]


# -- layout --------------------------------------------------------------------------


def sheet_title(language: str) -> str:
    """The title of a template's visible sheet in `language` (`Báo cáo`, `Report`)."""
    return load_translations(language).gettext("Report")[:31]


def _measure_col(measures: Sequence[str], measure: str) -> int:
    return FIRST_MEASURE_COL + list(measures).index(measure)


def _previous_col(measures: Sequence[str], measure: str) -> int:
    return FIRST_MEASURE_COL + len(measures) + 1 + list(measures).index(measure)


def _input_cell(report: Report, measure: str, unit: str) -> str:
    measures = report.dataset.measures
    if measure not in measures or unit not in report.value_units:
        raise ValueError(f"{report.dataset.code} carries no value of {measure} for {unit!r}")
    column = get_column_letter(_measure_col(measures, measure))
    return f"{column}{FIRST_ROW + report.value_units.index(unit)}"


def cell_of(report: Report, measure: str, unit: str, language: str = "vi") -> str:
    """The input cell of `measure` for `unit` in the template of `report`: `Báo cáo!D12`.

    `language`: the template's (it names the sheet). Maps the service's findings to
    cells; ValueError for a measure or unit the report does not carry.
    """
    return f"{sheet_title(language)}!{_input_cell(report, measure, unit)}"


def cell_problems(
    findings: Iterable[Finding], report: Report, language: str = "vi", gettext: Gettext = _same
) -> list[CellProblem]:
    """The service's findings on uploaded values, as problems of template cells.

    A finding without a cell of its own (an unknown measure) points at the header.
    """
    sheet = sheet_title(language)
    problems: list[CellProblem] = []
    for finding in findings:
        try:
            cell = _input_cell(report, finding.measure, finding.unit)
        except ValueError:
            cell = f"A{HEADER_ROW}"
        problems.append(CellProblem(sheet, cell, finding.message(gettext)))
    return problems


def template_filename(report: Report) -> str:
    """A file name for the template of `report`: `digital-transcripts_92-SGDDT_2025Q3.xlsx`."""
    return f"{report.dataset.code}_{report.unit}_{report.period}.xlsx"
