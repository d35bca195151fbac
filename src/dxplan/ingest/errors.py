"""The catalogue of import errors: each has a code, a message template and a description.

Messages are consistent and translatable; the docs list the catalogue. A row error
says where: file, row (the spreadsheet row: the header is row 1), column.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from typing import Final, TextIO


@dataclass(frozen=True)
class ErrorType:
    code: str
    template: str
    description: str
    warning: bool = False


CATALOGUE: Final = {
    e.code: e
    for e in (
        ErrorType("missing-value", "{column} is required", "A required field is empty."),
        ErrorType("too-long", "{column} is longer than {limit} characters", "A text is too long."),
        ErrorType(
            "not-boolean",
            "{column}: {value!r} is not true/false, 1/0, yes/no or có/không",
            "A yes/no field has another value.",
        ),
        ErrorType(
            "not-timestamp",
            "{column}: {value!r} is not an ISO 8601 timestamp such as 2025-07-01T08:15:00+07:00",
            "A timestamp cannot be read; dates need a time of day.",
        ),
        ErrorType(
            "not-date",
            "{column}: {value!r} is not a date such as 2025-07-01",
            "A date is unreadable.",
        ),
        ErrorType(
            "not-a-choice",
            "{column}: {value!r} is not one of {choices}",
            "Outside the allowed values.",
        ),
        ErrorType(
            "unknown-unit", "{column}: unit {value!r} is unknown", "The unit is not in dxplan."
        ),
        ErrorType(
            "unknown-procedure",
            "procedure {value!r} is not in the catalog (row stored)",
            "A warning: the dossier is stored, its procedure is not in the latest catalog.",
            warning=True,
        ),
        ErrorType(
            "finished-without-finished-at",
            "status is finished but finished_at is empty",
            "A finished dossier needs its finishing time.",
        ),
        ErrorType(
            "finished-at-not-finished",
            "finished_at is set but status is not finished",
            "Only finished dossiers have a finishing time.",
        ),
        ErrorType(
            "finished-before-received",
            "finished_at is before received_at",
            "A dossier cannot be finished before it is received.",
        ),
        ErrorType(
            "due-before-received",
            "due_at is before received_at",
            "A deadline cannot precede the receipt.",
        ),
        ErrorType(
            "paid-online-without-fee",
            "paid_online is true but fee_required is false",
            "Only a fee-bearing dossier can be paid online.",
        ),
        ErrorType(
            "online-payment-without-fee",
            "online_payment is true but has_fee is false",
            "Only a fee-bearing procedure can offer online payment.",
        ),
        ErrorType(
            "valid-to-before-valid-from",
            "valid_to is before valid_from",
            "A procedure cannot end before it starts.",
        ),
        ErrorType(
            "duplicate-key",
            "{column} {value!r} appears again in this file (first at row {first})",
            "The catalog lists each procedure once.",
        ),
        ErrorType(
            "malformed-row", "{detail}", "The row cannot be parsed (columns, quoting, JSON)."
        ),
    )
}


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    column: str
    code: str
    message: str

    @property
    def warning(self) -> bool:
        return CATALOGUE[self.code].warning


def row_error(file: str, row: int, column: str, code: str, **values: object) -> RowError:
    """A RowError with its message filled from the catalogue template."""
    return RowError(
        file, row, column, code, CATALOGUE[code].template.format(column=column, **values)
    )


class UnusableInput(Exception):
    """A file that cannot be imported at all (no header, missing column, broken file)."""

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        self.message = message
        super().__init__(f"{file}: {message}")


@dataclass
class ErrorReport:
    """Row errors and warnings of one import.

    Every error goes to `sink` (the full CSV report, written as the import runs) when
    one is given; only the first `keep` stay in memory, for the terminal summary. A
    file with ten million bad rows never holds ten million messages.
    """

    HEADER = ("file", "row", "column", "code", "severity", "message")

    def __init__(self, sink: TextIO | None = None, keep: int = 1000) -> None:
        self.keep = keep
        self.errors: list[RowError] = []
        self.counts: Counter[str] = Counter()
        self.rejected_rows = 0
        self._writer = csv.writer(sink, lineterminator="\n") if sink is not None else None
        if self._writer is not None:
            self._writer.writerow(self.HEADER)

    def add(self, error: RowError) -> None:
        self.counts[error.code] += 1
        if len(self.errors) < self.keep:
            self.errors.append(error)
        if self._writer is not None:
            severity = "warning" if error.warning else "error"
            self._writer.writerow(
                [error.file, error.row, error.column, error.code, severity, error.message]
            )

    @property
    def warnings(self) -> int:
        return sum(n for code, n in self.counts.items() if CATALOGUE[code].warning)
