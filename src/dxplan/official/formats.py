"""The files an official report is written as, by name: docx, pdf, xlsx.

One registry for the command line and the web: each format's media type, file suffix
and writer. A PDF is the DOCX converted by LibreOffice, never a second layout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from dxplan.official.docx_file import write_docx
from dxplan.official.pdf import Converter
from dxplan.official.report import OfficialReport
from dxplan.official.xlsx import write_xlsx


class ReportFormat(StrEnum):
    DOCX = "docx"
    PDF = "pdf"
    XLSX = "xlsx"


Writer = Callable[[OfficialReport, str, Converter], bytes]


@dataclass(frozen=True)
class Output:
    media_type: str
    write: Writer


def _pdf(report: OfficialReport, language: str, converter: Converter) -> bytes:
    return converter.convert(write_docx(report, language))


FORMATS: Final[dict[ReportFormat, Output]] = {
    ReportFormat.DOCX: Output(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda report, language, _: write_docx(report, language),
    ),
    ReportFormat.PDF: Output("application/pdf", _pdf),
    ReportFormat.XLSX: Output(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda report, language, _: write_xlsx(report, language),
    ),
}


def render(report: OfficialReport, fmt: ReportFormat, language: str, converter: Converter) -> bytes:
    """The report as a file of `fmt` in `language` (a PDF may raise ConversionError)."""
    return FORMATS[fmt].write(report, language, converter)


def file_name(report: OfficialReport, fmt: ReportFormat) -> str:
    """`bao-cao-92-2025Q3.docx`: ASCII, safe in a Content-Disposition header."""
    return f"bao-cao-{report.unit.code}-{report.period}.{fmt.value}"
