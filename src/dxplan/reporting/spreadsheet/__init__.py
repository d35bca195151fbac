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

from dxplan.reporting.spreadsheet.layout import (
    FORMAT,
    IDENTITY_SHEET,
    MAX_BYTES,
    CellProblem,
    SpreadsheetError,
    cell_of,
    cell_problems,
    sheet_title,
    template_filename,
)
from dxplan.reporting.spreadsheet.template import build_template
from dxplan.reporting.spreadsheet.upload import read_upload

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
