"""`dxplan report`: the official periodic report as DOCX, PDF or XLSX."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer

from dxplan.cli.common import ExitCode, fail, open_workspace, settings
from dxplan.official.formats import ReportFormat, render
from dxplan.official.gather import gather, parse_period
from dxplan.official.pdf import ConversionError, Converter
from dxplan.official.report import OfficialReportError


def report_command(
    ctx: typer.Context,
    period: Annotated[
        str, typer.Option("--period", help="The period: 2025, 2025S1, 2025Q3 or 2025-07.")
    ],
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="docx, pdf (through LibreOffice) or xlsx.")
    ],
    output: Annotated[
        Path, typer.Option("--output", help="The file to write.", dir_okay=False, writable=True)
    ],
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="A unit's code (default: the plan's whole organisation)."),
    ] = None,
    language: Annotated[
        Literal["vi", "en", "bn"], typer.Option("--language", help="vi, en or bn.")
    ] = "vi",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The report's date, YYYY-MM-DD (default: DXPLAN_AS_OF, else today).",
        ),
    ] = None,
) -> None:
    """Write the official periodic report (Decree 30/2020/ND-CP layout) of a period.

    The figures are the evaluation as of the report's date (`dxplan evaluate`); the
    agency, signer and recipients come from the plan's `issuer:` section; difficulties
    and next tasks are those the coordinator saved on the web page. Indicators without
    a figure are listed as missing. Nothing is written when the report cannot be made.
    """
    config = settings(ctx)
    try:
        with open_workspace(ctx) as workspace:
            wanted = parse_period(period, workspace.calendar())
            day = _day(as_of) if as_of else workspace.as_of()  # the plan's clock
            report = gather(workspace, period=wanted, unit=unit, as_of=day)
        content = render(
            report,
            output_format,
            language,
            Converter(config.soffice, config.pdf_timeout, config.pdf_parallel),
        )
    except OfficialReportError as error:
        fail(str(error))
    except ConversionError as error:
        fail(str(error), ExitCode.FAILED)
    partial = output.with_name(output.name + ".partial")
    try:
        partial.write_bytes(content)
        partial.replace(output)  # a reader never sees half a file
    except OSError as error:
        partial.unlink(missing_ok=True)
        fail(f"--output: cannot write {output}: {error.strerror}", ExitCode.FAILED)
    missing = len(report.missing)
    typer.echo(
        f"{output}: {output_format.value} report of {report.unit.code} for {report.period} "
        f"as of {day.isoformat()}, {len(report.rows)} indicators"
        + (f", {missing} without a figure" if missing else "")
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of: {text!r} is not a date such as 2025-11-08")
