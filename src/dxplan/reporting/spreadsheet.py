"""Excel templates of reports: download one, fill it in Excel, upload it back.

A template is one workbook per data set, unit and period. Its visible sheet holds a
title block and a table: one row per unit the values are for (the reporter, the city,
or every commune and ward), one column per measure, the draft's values in unlocked
input cells, and last period's values in a locked block to the right, for reference
only (never read back). Sheet and workbook protection keep the structure in place;
the password is written in this file, so it is no security, only a guard against
accidental edits. Data validation lets Excel itself refuse text and values out of
the field's range.

A "veryHidden" sheet holds the template's identity: format version, data set, unit,
period, language, the ordered measure and unit codes, and a SHA-256 fingerprint of
them. An upload is refused as a whole (`SpreadsheetError`, nothing stored) when it is
not an XLSX, is no dxplan template, is for another report, or its structure was
edited. Otherwise its cells become stored values; range and cross-measure checks are
the reporting service's (`save`), and `cell_of` maps its findings back to cells.

Numbers: numeric cells are taken as they are; empty cells are None. Text is accepted
only when it reads unambiguously as a number: inner spaces are dropped, then it must
parse (Babel, strict grouping) in the workbook's convention (Vietnamese: `1.234,5`;
English and Bengali: `1,234.5`) and must not read as a different number in the other
one. So in a Vietnamese workbook `1,5` is 1.5 and `1.234.567` is 1234567, but `1.234`
and `1,500` are refused as ambiguous and `1.5` as not a number.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

from babel.numbers import NumberFormatError, parse_decimal
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from dxplan.domain.dataset import FormField, NumberType, ValuesFor
from dxplan.domain.organisation import Organisation
from dxplan.domain.plan import Plan
from dxplan.domain.validation import Finding, Values
from dxplan.i18n import load_translations
from dxplan.reporting.service import Report, ReportingError
from dxplan.store.submissions import StoredValues

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


# -- building ------------------------------------------------------------------------


def build_template(
    report: Report,
    plan: Plan,
    organisation: Organisation,
    previous: Values,
    language: str,
) -> bytes:
    """The XLSX template of `report` in `language`, pre-filled with its draft's values.

    `previous`: last period's values (`Reporting.previous_values`), shown for reference.
    """
    _ = load_translations(language).gettext
    dataset = report.dataset
    measures = dataset.measures
    identity = _Identity(
        dataset=dataset.code,
        unit=report.unit,
        period=str(report.period),
        language=language,
        sheet=sheet_title(language),
        measures=list(measures),
        units=list(report.value_units),
        draft_version=report.submission.version,
    )
    book = Workbook()
    sheet = book.active
    sheet.title = identity.sheet
    last_col = FIRST_MEASURE_COL + 2 * len(measures)

    # title block
    sheet.cell(TITLE_ROW, 1, dataset.names.get(language)).font = Font(bold=True, size=14)
    first, last = dataset.window(report.period)
    unit = organisation[report.unit]
    info: list[tuple[str, Any]] = [
        (_("Unit"), f"{unit.names.get(language)} ({unit.code})"),
        (_("Period"), str(report.period)),
        (_("Days covered"), f"{_day(first, language)} – {_day(last, language)}"),
        (_("Due date"), _day(dataset.due(report.period), language)),
    ]
    for offset, (label, value) in enumerate(info):
        sheet.cell(TITLE_ROW + 1 + offset, 1, label).font = Font(bold=True)
        sheet.cell(TITLE_ROW + 1 + offset, 2, value)
    note = sheet.cell(
        TITLE_ROW + 5,
        1,
        _(
            "Enter the figures in the white cells only, then upload this file. "
            "Do not insert, delete or move rows, columns or sheets."
        ),
    )
    note.font = Font(italic=True)

    # group, header and code rows
    this = sheet.cell(GROUP_ROW, FIRST_MEASURE_COL, _("This period"))
    this.font = Font(bold=True)
    before = sheet.cell(
        GROUP_ROW,
        FIRST_MEASURE_COL + len(measures) + 1,
        _("Last period ({period}), for reference only: not read back").format(
            period=report.period.previous()
        ),
    )
    before.font = Font(bold=True, color="FF595959")
    per_commune = dataset.values_for is ValuesFor.COMMUNES
    headers: list[str | None] = [
        _("Code"),
        _("Commune or ward") if per_commune else _("Unit"),
        *(_header(plan, f, language, _) for f in dataset.fields),
        None,
        *(plan.measure(m).names.get(language) for m in measures),
    ]
    for col, (header, code) in enumerate(zip(headers, identity.code_row, strict=True), 1):
        if header is None:
            continue
        top = sheet.cell(HEADER_ROW, col, header)
        top.font = Font(bold=True)
        top.fill = _PREVIOUS_FILL if col > FIRST_MEASURE_COL + len(measures) else _HEADER_FILL
        top.alignment = Alignment(wrap_text=True, vertical="top")
        top.border = _BOX
        small = sheet.cell(CODE_ROW, col, code)
        small.font = Font(size=8, color="FF808080")
        small.border = _BOX
    sheet.row_dimensions[HEADER_ROW].height = 60

    # one row per unit the values are for
    draft = report.submission.values or {}
    for offset, code in enumerate(report.value_units):
        row = FIRST_ROW + offset
        for col, value in ((CODE_COL, code), (NAME_COL, _unit_name(organisation, code, language))):
            cell = sheet.cell(row, col, value)
            cell.fill = _LOCKED_FILL
            cell.border = _BOX
        for spec in dataset.fields:
            cell = sheet.cell(row, _measure_col(measures, spec.measure))
            cell.value = draft.get(spec.measure, {}).get(code)
            cell.protection = _UNLOCKED
            cell.fill = _INPUT_FILL
            cell.border = _BOX
            cell.number_format = "#,##0" if spec.type is NumberType.INTEGER else "General"
            shown = sheet.cell(row, _previous_col(measures, spec.measure))
            shown.value = previous.get(spec.measure, {}).get(code)
            shown.fill = _PREVIOUS_FILL
            shown.border = _BOX
            shown.number_format = cell.number_format
    last_row = FIRST_ROW + len(report.value_units) - 1
    for spec in dataset.fields:
        column = get_column_letter(_measure_col(measures, spec.measure))
        validation = _validation(spec, _)
        validation.add(f"{column}{FIRST_ROW}:{column}{last_row}")
        sheet.add_data_validation(validation)

    # looks, protection
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 34
    for col in range(FIRST_MEASURE_COL, last_col + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 18
    sheet.column_dimensions[get_column_letter(FIRST_MEASURE_COL + len(measures))].width = 3
    sheet.freeze_panes = sheet.cell(FIRST_ROW, FIRST_MEASURE_COL)
    sheet.cell(CODE_ROW, CODE_COL).comment = Comment(
        _("Codes read by dxplan: do not change them."), "dxplan"
    )
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widths and heights may change
    sheet.protection.formatRows = False
    sheet.protection.password = PASSWORD

    hidden = book.create_sheet(IDENTITY_SHEET)
    for row, (key, value) in enumerate(identity.rows(), 1):
        hidden.cell(row, 1, key)
        hidden.cell(row, 2, value)
    hidden.protection.sheet = True
    hidden.protection.password = PASSWORD
    hidden.sheet_state = "veryHidden"
    book.active = 0
    book.security = WorkbookProtection(workbookPassword=PASSWORD, lockStructure=True)

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _day(day: date, language: str) -> str:
    return day.isoformat() if language != "vi" else day.strftime("%d/%m/%Y")


def _unit_name(organisation: Organisation, code: str, language: str) -> str:
    return organisation[code].names.get(language) if code in organisation else code


def _header(plan: Plan, spec: FormField, language: str, _: Gettext) -> str:
    measure = plan.measure(spec.measure)
    name = measure.names.get(language)
    if measure.unit_of_measure is not None:
        name = f"{name} ({measure.unit_of_measure.get(language)})"
    return name if spec.required else _("{name} (optional)").format(name=name)


def _bound(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _validation(spec: FormField, _: Gettext) -> DataValidation:
    """Excel's own check of an input column: a (whole) number within the field's range."""
    whole = spec.type is NumberType.INTEGER
    low, high = spec.min, spec.max
    shown = {
        "min": "" if low is None else _bound(low),
        "max": "" if high is None else _bound(high),
    }
    formulas: tuple[str, str | None]
    if low is not None and high is not None:
        operator, formulas = "between", (_bound(low), _bound(high))
        text = (
            _("Enter a whole number from {min} to {max}.")
            if whole
            else _("Enter a number from {min} to {max}.")
        )
    elif low is not None:
        operator, formulas = "greaterThanOrEqual", (_bound(low), None)
        text = (
            _("Enter a whole number of at least {min}.")
            if whole
            else _("Enter a number of at least {min}.")
        )
    elif high is not None:
        operator, formulas = "lessThanOrEqual", (_bound(high), None)
        text = (
            _("Enter a whole number of at most {max}.")
            if whole
            else _("Enter a number of at most {max}.")
        )
    else:  # any number: a range as wide as Excel's
        operator, formulas = "between", ("-1E+15", "1E+15")
        text = _("Enter a whole number.") if whole else _("Enter a number.")
    return DataValidation(
        type="whole" if whole else "decimal",
        operator=operator,
        formula1=formulas[0],
        formula2=formulas[1],
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=_("Invalid value")[:32],
        error=text.format(**shown)[:255],
    )


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


__all__ = [
    "FORMAT",
    "IDENTITY_SHEET",
    "MAX_BYTES",
    "CellProblem",
    "SpreadsheetError",
    "build_template",
    "cell_of",
    "cell_problems",
    "read_upload",
    "sheet_title",
    "template_filename",
]
