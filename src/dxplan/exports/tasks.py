"""The task list as a workbook: one row per task, numbers as numbers, days as dates.

The caller gives the header and the rows in the reader's language; this module makes
the sheet: bold header, frozen first row, dates formatted as days, the progress as a
whole number, every text cell safe from formula injection (`exports/cells.py`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dxplan.exports.cells import safe_cell

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAY_FORMAT: Final = "yyyy-mm-dd"
MOMENT_FORMAT: Final = "yyyy-mm-dd hh:mm"
WIDEST: Final = 60  # characters: a long title wraps in the cell rather than the sheet


@dataclass(frozen=True)
class TaskSheet:
    """A sheet's title, its header and its rows (cells: text, numbers, dates or None)."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


def _sheet_title(text: str) -> str:
    """A worksheet name: at most 31 characters, none of []:*?/\\."""
    return "".join(c for c in text if c not in "[]:*?/\\")[:31] or "Sheet"


def task_workbook(sheet: TaskSheet) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    ws = book.active
    ws.title = _sheet_title(sheet.title)
    ws.append([safe_cell(h) for h in sheet.headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        ws.append([safe_cell(value) for value in row])
    widths = [len(str(h)) for h in sheet.headers]
    for row_cells in ws.iter_rows(min_row=2):
        for i, cell in enumerate(row_cells):
            if isinstance(cell.value, datetime):
                cell.number_format = MOMENT_FORMAT
                widths[i] = max(widths[i], 16)
            elif isinstance(cell.value, date):
                cell.number_format = DAY_FORMAT
                widths[i] = max(widths[i], 10)
            elif cell.value is not None:
                widths[i] = max(widths[i], len(str(cell.value)))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(width + 2, WIDEST)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
