"""A unit's detailed task list as an Excel workbook: the template, and reading it back.

The template lists the tasks the unit reports on (the plan's tasks it leads, its
approved breakthrough task, its own detailed tasks), prefilled with their current
progress, then empty rows where the unit adds the tasks of its own detailed plan. Only
the progress, status and note cells (and, on empty rows, the task and its due date)
are unlocked; status has Excel's list validation, progress a whole-number one. An
instructions sheet says how to fill it in. As for report templates
(`reporting/spreadsheet`), a "veryHidden" sheet holds the template's identity (unit,
year, the listed codes) with a SHA-256 fingerprint, the sheets are protected against
slips, and an upload is refused as a whole when anything is wrong: every bad cell is
named (sheet, row, column, field) and nothing is stored.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from dxplan.domain.task import MAX_PERCENT, Progress, progress_problems
from dxplan.i18n import load_translations
from dxplan.reporting.spreadsheet.layout import (
    _BOX,
    _HEADER_FILL,
    _INPUT_FILL,
    _LOCKED_FILL,
    _UNLOCKED,
    IDENTITY_SHEET,
    PASSWORD,
    SpreadsheetError,
)
from dxplan.reporting.spreadsheet.upload import _check_container

FORMAT: Final = 1
KIND: Final = "tasks"
EMPTY_ROWS: Final = 15  # rows for the unit's own tasks
HEADER_ROW: Final = 5
CODE_ROW: Final = 6
FIRST_ROW: Final = 7
# column -> field code (row CODE_ROW), in order A..F
FIELDS: Final = ("code", "task", "due", "progress", "status", "note")
MAX_TEXT: Final = 4000


def _col(name: str) -> int:
    return FIELDS.index(name) + 1


@dataclass(frozen=True)
class Line:
    """One prefilled task of the template."""

    code: str
    title: str
    due: date
    percent: int
    progress: Progress
    note: str | None


@dataclass(frozen=True)
class Row:
    """One filled row of an upload: a listed task's progress, or a new task (no code)."""

    row: int
    code: str | None
    title: str | None
    due: date | None
    percent: int
    progress: Progress
    note: str | None


@dataclass(frozen=True)
class CellError:
    """Why one cell was refused."""

    sheet: str
    row: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        return (
            f"Sheet {self.sheet!r}, row {self.row}, column {get_column_letter(self.column)} "
            f"({self.field}): {self.message}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "cell": f"{get_column_letter(self.column)}{self.row}",
            "field": self.field,
            "message": self.message,
        }


@dataclass
class TaskSheetError(SpreadsheetError):
    """An upload refused as a whole, with each bad cell."""

    cells: list[CellError] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join([self.message, *(str(c) for c in self.cells)])

    def as_json(self) -> dict[str, Any]:
        return {"message": self.message, "problems": [c.as_json() for c in self.cells]}


@dataclass(frozen=True)
class Identity:
    unit: str
    year: int
    language: str
    sheet: str
    codes: list[str]
    format: int = FORMAT

    def content(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "kind": KIND,
            "unit": self.unit,
            "year": self.year,
            "language": self.language,
            "sheet": self.sheet,
            "codes": self.codes,
        }

    @property
    def fingerprint(self) -> str:
        text = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sheet_title(language: str) -> str:
    return load_translations(language).gettext("Tasks")[:31]


def build_template(
    unit_code: str, unit_name: str, year: int, lines: list[Line], language: str
) -> bytes:
    """The XLSX task list of a unit for `year`, prefilled with `lines`."""
    _ = load_translations(language).gettext
    identity = Identity(unit_code, year, language, sheet_title(language), [x.code for x in lines])
    book = Workbook()
    sheet = book.active
    sheet.title = identity.sheet
    sheet.cell(1, 1, _("Detailed task list")).font = Font(bold=True, size=14)
    sheet.cell(2, 1, _("Unit")).font = Font(bold=True)
    sheet.cell(2, 2, f"{unit_name} ({unit_code})")
    sheet.cell(3, 1, _("Year")).font = Font(bold=True)
    sheet.cell(3, 2, str(year))
    sheet.cell(4, 1, _("Fill in the white cells only; see the Instructions sheet.")).font = Font(
        italic=True
    )
    headers = [
        _("Code"),
        _("Task"),
        _("Due date (YYYY-MM-DD)"),
        _("Progress (%)"),
        _("Status"),
        _("Note"),
    ]
    for col, (header, code) in enumerate(zip(headers, FIELDS, strict=True), 1):
        top = sheet.cell(HEADER_ROW, col, header)
        top.font = Font(bold=True)
        top.fill = _HEADER_FILL
        top.border = _BOX
        top.alignment = Alignment(wrap_text=True, vertical="top")
        small = sheet.cell(CODE_ROW, col, code)
        small.font = Font(size=8, color="FF808080")
        small.border = _BOX
    last = FIRST_ROW + len(lines) + EMPTY_ROWS - 1
    for offset in range(len(lines) + EMPTY_ROWS):
        row = FIRST_ROW + offset
        line = lines[offset] if offset < len(lines) else None
        values: list[Any] = (
            [line.code, line.title, line.due, line.percent, line.progress.value, line.note]
            if line is not None
            else [None] * len(FIELDS)
        )
        for col, value in enumerate(values, 1):
            cell = sheet.cell(row, col, value)
            cell.border = _BOX
            editable = FIELDS[col - 1] in ("progress", "status", "note") or (
                line is None and FIELDS[col - 1] in ("task", "due")
            )
            cell.fill = _INPUT_FILL if editable else _LOCKED_FILL
            if editable:
                cell.protection = _UNLOCKED
            if FIELDS[col - 1] == "due":
                cell.number_format = "yyyy-mm-dd"
    status = DataValidation(
        type="list",
        formula1='"' + ",".join(p.value for p in Progress) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Invalid value")[:32],
        error=_("Choose not_started, in_progress or done.")[:255],
    )
    status.add(f"E{FIRST_ROW}:E{last}")
    percent = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2=str(MAX_PERCENT),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Invalid value")[:32],
        error=_("Enter a whole number from {min} to {max}.").format(min=0, max=MAX_PERCENT)[:255],
    )
    percent.add(f"D{FIRST_ROW}:D{last}")
    due = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
    due.add(f"C{FIRST_ROW + len(lines)}:C{last}")
    for validation in (status, percent, due):
        sheet.add_data_validation(validation)
    for letter, width in zip("ABCDEF", (16, 60, 14, 12, 14, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(FIRST_ROW, 3)
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.password = PASSWORD

    guide = book.create_sheet(_("Instructions")[:31])
    lines_of_help = [
        _("How to fill in this task list"),
        _("Progress (%): a whole number from 0 to 100; a done task is at 100."),
        _("Status: not_started, in_progress or done (choose from the list)."),
        _("Note: what was done, what is blocking, what comes next."),
        _("Empty rows: add your unit's own detailed tasks with a name and a due date."),
        _("Do not change the codes or move rows; then run: dxplan tasks import FILE.xlsx"),
    ]
    for row, text in enumerate(lines_of_help, 1):
        guide.cell(row, 1, text).font = Font(bold=row == 1)
    guide.column_dimensions["A"].width = 100

    hidden = book.create_sheet(IDENTITY_SHEET)
    rows = [
        (k, json.dumps(v) if k == "codes" else str(v)) for k, v in identity.content().items()
    ] + [("fingerprint", identity.fingerprint)]
    for row, (key, value) in enumerate(rows, 1):
        hidden.cell(row, 1, key)
        hidden.cell(row, 2, value)
    hidden.protection.sheet = True
    hidden.protection.password = PASSWORD
    hidden.sheet_state = "veryHidden"
    book.active = 0
    book.security = WorkbookProtection(workbookPassword=PASSWORD, lockStructure=True)
    for each in book.worksheets:  # text beginning with "=" stays text
        for cells in each.iter_rows():
            for cell in cells:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- reading ---------------------------------------------------------------------------


def _refused(message: str, cells: list[CellError] | None = None) -> TaskSheetError:
    return TaskSheetError(message, [], cells or [])


def read_template(data: bytes) -> tuple[Identity, list[Row]]:
    """The identity and the filled rows of an uploaded task list; TaskSheetError (every
    bad cell) when anything is wrong. Rows of listed tasks left without progress and
    status, and empty rows, are not returned."""
    try:
        _check_container(data, lambda s: s)
    except SpreadsheetError as error:
        raise _refused(error.message) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken or foreign file
        raise _refused("The workbook is damaged and cannot be read.") from None
    try:
        identity = _identity(book)
        table = [tuple(r) for r in book[identity.sheet].iter_rows(min_row=1, values_only=True)]
    except TaskSheetError:
        raise
    except Exception:
        raise _refused("The workbook is damaged and cannot be read.") from None
    finally:
        book.close()
    return identity, _rows(identity, table)


def _identity(book: Any) -> Identity:
    if IDENTITY_SHEET not in book.sheetnames:
        raise _refused(
            "This workbook is not a dxplan task list: make one with `dxplan tasks template`."
        )
    found: dict[str, str] = {}
    for row in book[IDENTITY_SHEET].iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
        if row and row[0] is not None:
            found[str(row[0])] = "" if len(row) < 2 or row[1] is None else str(row[1])
    edited = _refused("The hidden identity sheet was edited: make a new template.")
    if found.get("kind") != KIND:
        raise _refused(
            "This workbook is not a dxplan task list: make one with `dxplan tasks template`."
        )
    try:
        codes = json.loads(found["codes"])
        identity = Identity(
            unit=found["unit"],
            year=int(found["year"]),
            language=found["language"],
            sheet=found["sheet"],
            codes=[str(c) for c in codes],
            format=int(found["format"]),
        )
    except (KeyError, ValueError, TypeError):
        raise edited from None
    if identity.fingerprint != found.get("fingerprint"):
        raise edited
    if identity.format != FORMAT:
        raise _refused("This template was made by another version of dxplan: make a new one.")
    if identity.sheet not in book.sheetnames:
        raise _refused(f"The sheet {identity.sheet!r} is missing: make a new template.")
    return identity


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or None


def _rows(identity: Identity, table: list[tuple[Any, ...]]) -> list[Row]:
    sheet = identity.sheet

    def at(row: int, col: int) -> Any:
        cells = table[row - 1] if row <= len(table) else ()
        return cells[col - 1] if col <= len(cells) else None

    def bad(row: int, name: str, message: str) -> CellError:
        return CellError(sheet, row, _col(name), name, message)

    structure = [
        bad(CODE_ROW, name, f"expected {name!r}, found {_text(at(CODE_ROW, _col(name)))!r}")
        for name in FIELDS
        if _text(at(CODE_ROW, _col(name))) != name
    ]
    structure += [
        bad(FIRST_ROW + i, "code", f"expected {code!r}, found {_text(at(FIRST_ROW + i, 1))!r}")
        for i, code in enumerate(identity.codes)
        if _text(at(FIRST_ROW + i, 1)) != code
    ]
    if structure:
        raise _refused(
            "The structure of the template was changed (rows moved or codes edited): make a "
            "new template and copy your entries into it.",
            structure[:1],
        )
    errors: list[CellError] = []
    found: list[Row] = []
    last = max(len(table), FIRST_ROW + len(identity.codes) - 1)
    for row in range(FIRST_ROW, last + 1):
        listed = row - FIRST_ROW < len(identity.codes)
        code = identity.codes[row - FIRST_ROW] if listed else None
        raw = {name: at(row, _col(name)) for name in FIELDS}
        if not listed and _text(raw["code"]) is not None:
            errors.append(bad(row, "code", "leave the code of a new task empty: dxplan gives one"))
            continue
        filled = [n for n in ("progress", "status", "note") if _text(raw[n]) is not None]
        if not listed:
            filled += [n for n in ("task", "due") if _text(raw[n]) is not None]
        if not filled:
            continue
        problems = len(errors)
        title = due = None
        if not listed:
            title = _text(raw["task"])
            if title is None:
                errors.append(bad(row, "task", "a new task needs a name"))
            elif len(title) > 300:
                errors.append(bad(row, "task", f"{len(title)} characters, at most 300"))
            due = _day(raw["due"])
            if due is None:
                errors.append(
                    bad(row, "due", f"{_text(raw['due'])!r} is not a date such as 2025-12-31")
                )
            elif due.year != identity.year:
                errors.append(bad(row, "due", f"{due.isoformat()} is not in {identity.year}"))
        percent = _percent(raw["progress"])
        if isinstance(percent, str):
            errors.append(bad(row, "progress", percent))
        status_text = _text(raw["status"])
        status = next((p for p in Progress if p.value == status_text), None)
        if status is None:
            shown = "empty" if status_text is None else repr(status_text)
            errors.append(bad(row, "status", f"{shown} is not not_started, in_progress or done"))
        note = _text(raw["note"])
        if note is not None and len(note) > MAX_TEXT:
            errors.append(bad(row, "note", f"{len(note)} characters, at most {MAX_TEXT}"))
        if len(errors) > problems or not isinstance(percent, int) or status is None:
            continue
        for name, message in progress_problems(percent, status):
            errors.append(bad(row, "status" if name == "progress" else "progress", message))
        if len(errors) == problems:
            found.append(Row(row, code, title, due, percent, status, note))
    if errors:
        raise _refused(
            f"{len(errors)} cell{'s' if len(errors) != 1 else ''} cannot be read; nothing "
            "was stored.",
            errors,
        )
    return found


def _percent(value: object) -> int | str:
    """A whole percent, or the message why not."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "a progress from 0 to 100 is required"
    number: float
    if isinstance(value, bool):
        return f"{value!r} is not a whole number"
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().rstrip("%").strip())
        except ValueError:
            return f"{str(value)[:40]!r} is not a whole number"
    if not number.is_integer():
        return f"{number:g} is not a whole number"
    if number > MAX_PERCENT:
        return f"{number:g} is above {MAX_PERCENT}"
    if number < 0:
        return f"{number:g} is below 0"
    return int(number)


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
