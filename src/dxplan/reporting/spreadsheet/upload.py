"""Reading an uploaded template back into values (see the package's docstring)."""

from __future__ import annotations

import io
import json
import math
import zipfile
from decimal import Decimal
from typing import Any, Final

from babel.numbers import NumberFormatError, parse_decimal
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from dxplan.reporting.report import Report
from dxplan.reporting.spreadsheet.layout import (
    CODE_COL,
    CODE_ROW,
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    IDENTITY_SHEET,
    MAX_BYTES,
    MAX_UNPACKED,
    NAME_COL,
    CellProblem,
    Gettext,
    SpreadsheetError,
    _Identity,
    _measure_col,
    _same,
)
from dxplan.store.submissions import StoredValues

# -- reading -------------------------------------------------------------------------


def read_upload(data: bytes, report: Report, *, gettext: Gettext = _same) -> StoredValues:
    """The values of an uploaded template of `report`; SpreadsheetError if unusable.

    Empty input cells are None. Only SpreadsheetError is raised for bad input, and then
    nothing is read; `gettext` translates the messages into the reader's language.
    """
    _ = gettext
    _check_container(data, _)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken or foreign file
        raise SpreadsheetError(_broken(_)) from None
    try:
        identity = _identity(book, report, _)
        values, formula_cells = _values(book, identity, _)
    except SpreadsheetError:
        raise
    except Exception:  # a part that fails to parse only once it is read
        raise SpreadsheetError(_broken(_)) from None
    finally:
        book.close()
    if formula_cells:
        _check_formulas(data, identity, formula_cells, _)
    return values


def _broken(_: Gettext) -> str:
    return _(
        "The workbook is damaged and cannot be read: save it again in Excel as .xlsx, "
        "or download a new template."
    )


def _refuse_structure(_: Gettext, problems: list[CellProblem] | None = None) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The structure of the template was changed (rows or columns inserted, deleted "
            "or moved, or a code edited): download a new template and copy the figures "
            "into it."
        ),
        problems or [],
    )


def _check_container(data: bytes, _: Gettext) -> None:
    """Refuse empty, oversized and non-XLSX files before openpyxl sees them."""
    if not data:
        raise SpreadsheetError(_("The file is empty."))
    too_large = _("The file is larger than {limit} MB: upload the template with the figures only.")
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(too_large.format(limit=MAX_BYTES // (1024 * 1024)))
    not_xlsx = _(
        "The file is not an Excel workbook (.xlsx): upload the template downloaded from "
        "dxplan, saved as .xlsx."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise SpreadsheetError(not_xlsx) from None
    if "xl/workbook.xml" not in {p.filename for p in parts}:
        raise SpreadsheetError(not_xlsx)
    if sum(p.file_size for p in parts) > MAX_UNPACKED:
        raise SpreadsheetError(too_large.format(limit=MAX_BYTES // (1024 * 1024)))


def _identity(book: Any, report: Report, _: Gettext) -> _Identity:
    """The upload's identity, checked against `report`."""
    if IDENTITY_SHEET not in book.sheetnames:
        raise SpreadsheetError(
            _(
                "This workbook is not a dxplan template: download the template of this "
                "report and enter the figures in it."
            )
        )
    found: dict[str, str] = {}
    for row in book[IDENTITY_SHEET].iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
        if row and row[0] is not None:
            found[str(row[0])] = "" if len(row) < 2 or row[1] is None else str(row[1])
    edited = SpreadsheetError(
        _("The hidden identity sheet of the template was edited: download a new template.")
    )
    try:
        version = int(found["format"])
    except (KeyError, ValueError):
        raise edited from None
    if version != FORMAT:
        raise SpreadsheetError(
            _("This template was made by another version of dxplan: download a new template.")
        )
    try:
        identity = _Identity(
            dataset=found["dataset"],
            unit=found["unit"],
            period=found["period"],
            language=found["language"],
            sheet=found["sheet"],
            measures=_codes(found["measures"]),
            units=_codes(found["units"]),
            draft_version=int(found["draft_version"]),
        )
    except (KeyError, ValueError, TypeError):
        raise edited from None
    if identity.fingerprint != found.get("fingerprint"):
        raise edited
    what = _("data set {dataset}, unit {unit}, period {period}")
    expected = (report.dataset.code, report.unit, str(report.period))
    if (identity.dataset, identity.unit, identity.period) != expected:
        raise SpreadsheetError(
            _(
                "This template is for {found}, not for this report ({expected}): download "
                "the template of this report."
            ).format(
                found=what.format(
                    dataset=identity.dataset, unit=identity.unit, period=identity.period
                ),
                expected=what.format(dataset=expected[0], unit=expected[1], period=expected[2]),
            )
        )
    if identity.measures != report.dataset.measures or identity.units != report.value_units:
        raise SpreadsheetError(
            _(
                "The data set has changed since this template was made: download a new "
                "template and copy the figures into it."
            )
        )
    if identity.sheet not in book.sheetnames:
        raise _refuse_structure(_)
    return identity


def _codes(text: str) -> list[str]:
    codes = json.loads(text)
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise ValueError("not a list of codes")
    return codes


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or None


def _values(
    book: Any, identity: _Identity, _: Gettext
) -> tuple[StoredValues, set[tuple[int, int]]]:
    """The input cells' values, after the layout was checked against the identity.

    Also returns the input cells left empty, where a formula may lack its cached value.
    """
    sheet = book[identity.sheet]
    measures = identity.measures
    expected_codes = identity.code_row
    width = len(expected_codes)
    last_row = FIRST_ROW + len(identity.units) - 1
    rows = sheet.iter_rows(min_row=1, values_only=True)
    table: dict[int, tuple[Any, ...]] = {}
    strays: list[CellProblem] = []
    for number, row in enumerate(rows, 1):
        if number in (HEADER_ROW, CODE_ROW) or FIRST_ROW <= number <= last_row:
            table[number] = tuple(row)
        elif number > last_row and not strays:
            for col, value in enumerate(row, 1):
                if _text(value) is not None:
                    strays.append(
                        CellProblem(
                            identity.sheet,
                            f"{get_column_letter(col)}{number}",
                            _("this cell is outside the table: nothing there is read"),
                        )
                    )
                    break

    def at(row: int, col: int) -> Any:
        cells = table.get(row, ())
        return cells[col - 1] if col <= len(cells) else None

    problems: list[CellProblem] = []
    found_codes = [_text(v) for v in table.get(CODE_ROW, ())]
    found_codes += [None] * (width - len(found_codes))
    for col, (want, got) in enumerate(zip(expected_codes, found_codes, strict=False), 1):
        if want != got:
            problems.append(_mismatch(identity.sheet, col, CODE_ROW, want, got, _))
            break
    extra = next((c for c, v in enumerate(found_codes[width:], width + 1) if v), None)
    if extra is not None and not problems:
        problems.append(_mismatch(identity.sheet, extra, CODE_ROW, None, found_codes[extra - 1], _))
    for offset, code in enumerate(identity.units):
        got = _text(at(FIRST_ROW + offset, CODE_COL))
        if got != code:
            problems.append(_mismatch(identity.sheet, CODE_COL, FIRST_ROW + offset, code, got, _))
            break
    if problems or strays:
        raise _refuse_structure(_, problems or strays)  # a shifted table strays too

    values: StoredValues = {m: {} for m in measures}
    bad: list[CellProblem] = []
    empty: set[tuple[int, int]] = set()
    for offset, unit in enumerate(identity.units):
        row = FIRST_ROW + offset
        for measure in measures:
            col = _measure_col(measures, measure)
            reference = f"{get_column_letter(col)}{row}"
            raw = at(row, col)
            try:
                parsed = _number(raw, identity.language)
            except _NotANumber as error:
                header = _text(at(HEADER_ROW, col)) or measure
                where = f"{header}, {_text(at(row, NAME_COL)) or unit}"
                bad.append(CellProblem(identity.sheet, reference, error.message(where, _)))
                continue
            if parsed is None:
                empty.add((row, col))
            values[measure][unit] = parsed
    if bad:
        raise SpreadsheetError(
            _(
                "Some cells hold something that is not a number: correct them and upload "
                "the file again."
            ),
            bad,
        )
    return values, empty


def _mismatch(
    sheet: str, col: int, row: int, want: str | None, got: str | None, _: Gettext
) -> CellProblem:
    return CellProblem(
        sheet,
        f"{get_column_letter(col)}{row}",
        _("expected {expected}, found {found}").format(
            expected=repr(want) if want else _("an empty cell"),
            found=repr(got) if got else _("an empty cell"),
        ),
    )


def _check_formulas(
    data: bytes, identity: _Identity, cells: set[tuple[int, int]], _: Gettext
) -> None:
    """Refuse formulas in empty-looking `cells` (row, column): saved without a value."""
    last_row = FIRST_ROW + len(identity.units) - 1
    bad: list[CellProblem] = []
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            rows = book[identity.sheet].iter_rows(
                min_row=FIRST_ROW, max_row=last_row, values_only=True
            )
            for number, row in enumerate(rows, FIRST_ROW):
                for col, formula in enumerate(row, 1):
                    if (number, col) in cells and str(formula or "").startswith("="):
                        bad.append(
                            CellProblem(
                                identity.sheet,
                                f"{get_column_letter(col)}{number}",
                                _(
                                    "the formula {formula} has no computed value: open and "
                                    "save the file in Excel, or type the number"
                                ).format(formula=formula),
                            )
                        )
        finally:
            book.close()
    except Exception:
        raise SpreadsheetError(_broken(_)) from None
    if bad:
        raise SpreadsheetError(
            _(
                "Some cells hold something that is not a number: correct them and upload "
                "the file again."
            ),
            bad,
        )


# -- numbers -------------------------------------------------------------------------


class _NotANumber(Exception):
    def __init__(self, value: object, ambiguous: bool = False) -> None:
        super().__init__(value)
        self.value = value
        self.ambiguous = ambiguous

    def message(self, where: str, _: Gettext) -> str:
        if self.ambiguous:
            template = _(
                "{where}: {value} can be read in two ways: type it without thousands separators"
            )
        else:
            template = _("{where}: {value} is not a number")
        return template.format(where=where, value=repr(self.value))


_CONVENTIONS: Final = ("vi", "en")


def _number(value: object, language: str) -> float | None:
    """A cell's number, None when empty; _NotANumber otherwise (see the module's rule)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _NotANumber(value)
    if isinstance(value, int | float | Decimal):
        number = float(value)
        if not math.isfinite(number):
            raise _NotANumber(value)
        return number
    if not isinstance(value, str):  # a date, a time
        raise _NotANumber(str(value))
    text = "".join(value.split())
    if not text:
        return None
    own = "vi" if language == "vi" else "en"
    read = _parse(text, own)
    if read is None:
        raise _NotANumber(value)
    other = _parse(text, next(c for c in _CONVENTIONS if c != own))
    if other is not None and other != read:
        raise _NotANumber(value, ambiguous=True)
    number = float(read)
    if not math.isfinite(number):
        raise _NotANumber(value)
    return number


def _parse(text: str, locale: str) -> Decimal | None:
    try:
        return parse_decimal(text, locale=locale, strict=True)
    except (NumberFormatError, ValueError, ArithmeticError):
        return None
