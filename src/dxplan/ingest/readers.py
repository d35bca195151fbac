"""Readers: stream a file as batches of text columns, whatever its container.

Each reader yields `pyarrow.Table` batches with the wanted columns (text, or the
file's own types for Parquet; the validator reads both) plus `_row`, the row a person
would look for: the spreadsheet row for CSV and XLSX (the header is row 1), the line
for JSON Lines, the record number for Parquet. A Parquet file is not decoded here: it
comes as one `FileScan`, which DuckDB reads itself, in parallel, with the same columns
and rows (as Arrow batches only when two of its column names differ only in case).
Readers are registered by file ending; a 10-million-row file is never held in memory
at once.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from dxplan.ingest.errors import RowError, UnusableInput, row_error

ROW: Final = "_row"
BATCH_ROWS: Final = 200_000


@dataclass(frozen=True)
class FileScan:
    """A whole Parquet file for DuckDB to read itself, in the shape of a batch.

    Decoding it into Arrow batches in Python and handing them to DuckDB cost more than
    DuckDB's own parallel reader (bench/engine.py).
    """

    path: Path
    present: tuple[str, ...]  # the wanted columns the file has
    schema: pa.Schema  # the wanted columns (absent ones as text), then `_row`
    num_rows: int

    @property
    def column_names(self) -> list[str]:
        return list(self.schema.names)

    def sql(self) -> str:
        """A SELECT of the file with the schema's columns; `_row` counts records from 1."""
        columns = [
            f'"{n}"' if n in self.present else f'NULL::VARCHAR AS "{n}"'
            for n in self.schema.names
            if n != ROW
        ]
        path = "'" + str(self.path).replace("'", "''") + "'"
        return (
            f"SELECT {', '.join(columns)}, file_row_number + 1 AS {ROW} "
            f"FROM read_parquet({path}, file_row_number = true)"
        )


Batch = tuple[pa.Table | FileScan, list[RowError]]
Reader = Callable[[Path, str, list[str]], Iterator[Batch]]
READERS: dict[str, Reader] = {}


def reader(*endings: str) -> Callable[[Reader], Reader]:
    """Register a reader for file endings (lower case, with the dot)."""

    def register(function: Reader) -> Reader:
        for ending in endings:
            READERS[ending] = function
        return function

    return register


def read(
    path: Path,
    label: str,
    columns: list[str],
    required: list[str],
    containers: tuple[str, ...] = tuple(READERS),
) -> Iterator[Batch]:
    """Batches of `path` with the wanted `columns`; UnusableInput if it cannot be read."""
    if not path.exists():
        raise UnusableInput(label, "no such file")
    if path.is_dir():
        raise UnusableInput(label, "this is a folder: give the files inside it")
    if not path.is_file():
        raise UnusableInput(label, "not a regular file")
    ending = "".join(path.suffixes[-1:]).lower()
    found = READERS.get(ending) if ending in containers else None
    if found is None:
        known = ", ".join(sorted(containers))
        raise UnusableInput(label, f"unknown file type {ending!r}: use one of {known}")
    if path.stat().st_size == 0:
        raise UnusableInput(label, "the file is empty")
    return _readable(_checked(found(path, label, columns), label, columns, required), label)


def _readable(batches: Iterator[Batch], label: str) -> Iterator[Batch]:
    """The batches; a file the system will not let us read is unusable, not a crash."""
    try:
        yield from batches
    except OSError as error:
        raise UnusableInput(label, f"cannot be read ({error.strerror or error})") from None


def _checked(
    batches: Iterator[Batch], label: str, columns: list[str], required: list[str]
) -> Iterator[Batch]:
    for table, errors in batches:
        missing = [c for c in required if c not in table.column_names]
        if missing:
            raise UnusableInput(
                label,
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(found: {', '.join(c for c in table.column_names if c != ROW) or 'none'}; "
                "is the header row there?)",
            )
        if isinstance(table, FileScan):
            fields = [
                table.schema.field(c) if c in table.column_names else pa.field(c, pa.string())
                for c in columns
            ]
            yield replace(table, schema=pa.schema([*fields, pa.field(ROW, pa.int64())])), errors
            continue
        wanted = [c for c in columns if c in table.column_names]
        data = [table.column(c) for c in wanted]
        for absent in (c for c in columns if c not in table.column_names):
            wanted.append(absent)
            data.append(pa.chunked_array([pa.nulls(table.num_rows, pa.string())]))
        yield pa.table([*data, table.column(ROW)], names=[*wanted, ROW]), errors


def _rows(start: int, count: int) -> pa.Array:
    return pa.array(np.arange(start, start + count, dtype=np.int64))


def _check_utf8(path: Path, label: str) -> None:
    """Refuse a file that is not UTF-8 anywhere, ignored columns included (a wrong export)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset = 0
    with path.open("rb") as raw:
        while True:
            chunk = raw.read(8 << 20)
            try:  # the last, empty, read is final: a file cut inside a character fails too
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                raise UnusableInput(
                    label,
                    f"the file is not UTF-8 text (byte {offset + error.start + 1}); "
                    "save it as CSV UTF-8",
                ) from None
            if not chunk:
                break
            offset += len(chunk)


@reader(".csv")
def read_csv(path: Path, label: str, columns: list[str]) -> Iterator[Batch]:
    _check_utf8(path, label)
    with path.open("rb") as raw:
        head = raw.readline()
    header = next(csv.reader([head.decode("utf-8-sig")]))
    names = [h.strip() for h in header]
    twice = sorted({n for n in names if n in columns and names.count(n) > 1})
    if twice:
        raise UnusableInput(label, f"the header names {', '.join(twice)} twice")
    # other repeated names (a data row read as a header) get unique stand-ins
    names = [n if names.index(n) == i else f"{n} (column {i + 1})" for i, n in enumerate(names)]
    bad: list[RowError] = []

    def invalid(row: pa_csv.InvalidRow) -> str:
        line = row.number if row.number is not None else 0
        bad.append(
            row_error(
                label,
                line,
                "",
                "malformed-row",
                detail=f"expected {row.expected_columns} fields, found {row.actual_columns}",
            )
        )
        return "skip"

    # Rows are numbered by record; a quoted field spanning lines makes the two differ.
    # Skipped malformed rows keep their own line numbers from the parser.
    position = 2
    # opening reads the first block: a lone quote or a lone carriage return fails there
    try:
        stream = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(
                use_threads=False, block_size=32 << 20, column_names=names, skip_rows=1
            ),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=invalid),
            convert_options=pa_csv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=True,
                null_values=[""],
                include_columns=[n for n in names if n in columns],
            ),
        )
        for batch in stream:
            table = pa.Table.from_batches([batch])
            table = table.append_column(ROW, _rows(position, table.num_rows))
            position += table.num_rows
            errors, bad[:] = list(bad), []
            yield table, errors
    except pa.ArrowInvalid as error:
        message = str(error)
        if "UTF8" in message or "utf8" in message.lower():
            message = "the file is not UTF-8 text (save it as CSV UTF-8)"
        raise UnusableInput(label, message) from None
    if bad or position == 2:  # malformed rows at the end, or a header without rows
        empty = {n: pa.array([], pa.string()) for n in names if n in columns}
        yield pa.table({**empty, ROW: pa.array([], pa.int64())}), list(bad)


@reader(".parquet")
def read_parquet(path: Path, label: str, columns: list[str]) -> Iterator[Batch]:
    try:
        file = pq.ParquetFile(path)
        schema = file.schema_arrow
    except (pa.ArrowInvalid, OSError) as error:
        raise UnusableInput(label, f"not a readable Parquet file ({error})") from None
    present = [n for n in schema.names if n in columns]
    twice = sorted({n for n in present if present.count(n) > 1})
    if twice:
        raise UnusableInput(label, f"the file names {', '.join(twice)} twice")
    lowered = [n.lower() for n in schema.names]
    if len(set(lowered)) < len(lowered):  # DuckDB would take `Status` for `status`
        yield from _parquet_batches(file, present, label)
        return
    fields = pa.schema([schema.field(n) for n in present])
    yield FileScan(path, tuple(present), fields, file.metadata.num_rows), []


def _parquet_batches(file: pq.ParquetFile, present: list[str], label: str) -> Iterator[Batch]:
    """The file as Arrow batches, for names that differ only in case (DuckDB's names
    are not case-sensitive, the contract's are)."""
    position = 1
    try:
        for batch in file.iter_batches(batch_size=BATCH_ROWS, columns=present):
            table = pa.Table.from_batches([batch])
            table = table.append_column(ROW, _rows(position, table.num_rows))
            position += table.num_rows
            yield table, []
    except (pa.ArrowInvalid, OSError) as error:
        raise UnusableInput(label, f"the Parquet file is damaged ({error})") from None
    if position == 1:
        empty = {n: pa.array([], pa.string()) for n in present}
        yield pa.table({**empty, ROW: pa.array([], pa.int64())}), []


@reader(".jsonl", ".ndjson")
def read_jsonl(path: Path, label: str, columns: list[str]) -> Iterator[Batch]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    line_number = 0
    with path.open("rb") as raw:
        pending = ""
        while True:
            chunk = raw.read(16 << 20)
            try:
                text = pending + decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                raise UnusableInput(label, "the file is not UTF-8 text") from None
            if chunk:
                cut = text.rfind("\n") + 1
                text, pending = text[:cut], text[cut:]
            if text:
                table, errors = _json_lines(text, line_number + 1, label, columns)
                line_number += text.count("\n") + (0 if text.endswith("\n") else 1)
                yield table, errors
            if not chunk:
                break


def _json_lines(
    text: str, first_line: int, label: str, columns: list[str]
) -> tuple[pa.Table, list[RowError]]:
    values: dict[str, list[str | None]] = {c: [] for c in columns}
    rows: list[int] = []
    errors: list[RowError] = []
    for offset, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        number = first_line + offset
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            errors.append(
                row_error(label, number, "", "malformed-row", detail=f"not JSON: {error.msg}")
            )
            continue
        if not isinstance(record, dict):
            errors.append(
                row_error(
                    label, number, "", "malformed-row", detail="a line must be one JSON object"
                )
            )
            continue
        rows.append(number)
        for column in columns:
            value = record.get(column)
            values[column].append(
                None if value is None else value if isinstance(value, str) else json.dumps(value)
            )
    table = pa.table(
        {
            **{c: pa.array(v, pa.string()) for c, v in values.items()},
            ROW: pa.array(rows, pa.int64()),
        }
    )
    return table, errors


@reader(".xlsx")
def read_xlsx(path: Path, label: str, columns: list[str]) -> Iterator[Batch]:
    from openpyxl import load_workbook  # loaded only for spreadsheets

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a foreign or broken file
        raise UnusableInput(label, f"not a readable XLSX workbook ({error})") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise UnusableInput(label, "the first sheet is empty")
    names = ["" if h is None else str(h).strip() for h in header]
    index = {n: i for i, n in enumerate(names) if n in columns}
    values: dict[str, list[str | None]] = {c: [] for c in index}
    numbers: list[int] = []
    for number, row in enumerate(rows, start=2):
        if all(cell is None or str(cell).strip() == "" for cell in row):
            continue
        numbers.append(number)
        for column, position in index.items():
            cell = row[position] if position < len(row) else None
            values[column].append(_cell_text(cell))
    book.close()
    yield (
        pa.table(
            {
                **{c: pa.array(v, pa.string()) for c, v in values.items()},
                ROW: pa.array(numbers, pa.int64()),
            }
        ),
        [],
    )


def _cell_text(cell: object) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if hasattr(cell, "isoformat"):
        return str(cell.isoformat())
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


__all__ = ["READERS", "ROW", "FileScan", "read", "reader"]
