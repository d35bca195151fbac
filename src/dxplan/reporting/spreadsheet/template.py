"""Building a report's Excel template (see the package's docstring)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from dxplan.domain.dataset import FormField, NumberType, ValuesFor
from dxplan.domain.organisation import Organisation
from dxplan.domain.plan import Plan
from dxplan.domain.validation import Values
from dxplan.i18n import load_translations
from dxplan.reporting.report import Report
from dxplan.reporting.spreadsheet.layout import (
    _BOX,
    _HEADER_FILL,
    _INPUT_FILL,
    _LOCKED_FILL,
    _PREVIOUS_FILL,
    _UNLOCKED,
    CODE_COL,
    CODE_ROW,
    FIRST_MEASURE_COL,
    FIRST_ROW,
    GROUP_ROW,
    HEADER_ROW,
    IDENTITY_SHEET,
    NAME_COL,
    PASSWORD,
    TITLE_ROW,
    Gettext,
    _Identity,
    _measure_col,
    _previous_col,
    sheet_title,
)

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

    _text_only(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_only(book: Any) -> None:
    """No cell of a template is a formula: text from the plan or a person that begins
    with `=` (openpyxl's sign of a formula) is written as the text it is."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


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
