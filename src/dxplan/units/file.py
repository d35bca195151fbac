"""The organisation from a units file: CSV or YAML, any depth, kinds declared by the plan.

CSV: the header `code,kind,parent_code,name_<lang>...` with optional `valid_from`,
`valid_to` and `successor_code`; YAML: `units:` a list of the same keys, with `names:`
a mapping of language to name. A unit with `valid_to` is retired (merged, split off or
renamed): it is not in the tree, and its `successor_code` names the unit its figures
roll into. Every mistake comes back with the file, the line and the field; nothing is
returned unless the whole file is right (see docs/units-file.md).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dxplan.documents import Document, DocumentError, DocumentProblem
from dxplan.domain.names import LANGUAGES, LocalizedText
from dxplan.domain.organisation import Organisation, OrganisationError
from dxplan.domain.unit import UNIT_CODE_PATTERN, KindCode, Unit, UnitKinds

__all__ = ["COLUMNS", "MAX_UNITS", "load_units_file"]

COLUMNS: Final = ("code", "kind", "parent_code")
OPTIONAL: Final = ("valid_from", "valid_to", "successor_code")
MAX_UNITS: Final = 100_000  # a country's every village fits; more is a wrong file
MAX_BYTES: Final = 32 * 1024 * 1024
MAX_FIELD: Final = 1000  # characters in one field: the longest official name is far shorter


class UnitRow(BaseModel):
    """One line of a units file, as the file says it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=UNIT_CODE_PATTERN, max_length=32)
    kind: KindCode
    parent_code: str | None = None
    names: LocalizedText
    valid_from: date | None = None
    valid_to: date | None = None
    successor_code: str | None = None

    @field_validator("parent_code", "successor_code", "valid_from", "valid_to", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


Where = Callable[[str], tuple[int, int]]  # field -> (line, column)


@dataclass
class _Reading:
    name: str
    problems: list[DocumentProblem] = field(default_factory=list)

    def add(self, where: tuple[int, int], code: str, message: str) -> None:
        self.problems.append(DocumentProblem(self.name, where[0], where[1], code, message))


def _csv_records(
    path: Path, label: str, reading: _Reading
) -> Iterator[tuple[dict[str, Any], Where]]:
    text = _text(path, label)
    rows = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(rows, [])]
    except csv.Error as error:
        reading.add((1, 1), "malformed-row", f"not a CSV header: {error}")
        return
    missing = [c for c in COLUMNS if c not in header]
    known = (*COLUMNS, *OPTIONAL)
    for position, column in enumerate(header, 1):
        language = column.removeprefix("name_")
        if column in header[: position - 1]:
            reading.add((1, position), "duplicate-column", f"column {column!r} appears twice")
        elif column not in known and not (column.startswith("name_") and language in LANGUAGES):
            reading.add(
                (1, position),
                "unknown-column",
                f"unknown column {column!r}: expected {', '.join(known)} and name_<language> "
                f"for languages {', '.join(LANGUAGES)}",
            )
    if missing:
        reading.add((1, 1), "missing-column", f"missing column {missing[0]!r} in the header")
    if not any(h.startswith("name_") for h in header):
        reading.add((1, 1), "missing-column", "no name_<language> column in the header")
    if reading.problems:
        return
    while True:
        try:
            row = next(rows, None)
        except csv.Error as error:  # a field beyond the csv module's limit, a stray quote
            reading.add((rows.line_num, 1), "malformed-row", str(error))
            return
        if row is None:
            return
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            reading.add((line, 1), "row-length", f"{len(row)} fields, the header has {len(header)}")
            continue
        long = next((i for i, cell in enumerate(row) if len(cell) > MAX_FIELD), None)
        if long is not None:
            message = f"{header[long]}: longer than {MAX_FIELD} characters"
            reading.add((line, long + 1), "too-long", message)
            continue
        control = next((i for i, cell in enumerate(row) if _has_control(cell)), None)
        if control is not None:
            reading.add(
                (line, control + 1),
                "control-character",
                f"{header[control]}: a control character (such as NUL) is not text",
            )
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=True))
        names = {
            c.removeprefix("name_"): v for c, v in cells.items() if c.startswith("name_") and v
        }
        record: dict[str, Any] = {k: v for k, v in cells.items() if not k.startswith("name_")}
        record["names"] = names

        def where(name: str, line: int = line) -> tuple[int, int]:
            column = name if name in header else f"name_{name}"
            return line, header.index(column) + 1 if column in header else 1

        yield record, where


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)


def _yaml_records(path: Path, label: str) -> Iterator[tuple[dict[str, Any], Where]]:
    _text(path, label)
    document = Document.read(path, name=label)
    units = document.tree.get("units")
    extra = [k for k in document.tree if k != "units"]
    if extra or not isinstance(units, list):
        raise DocumentError(
            [document.problem((extra[0],) if extra else (), "yaml", "expected `units:` a list")]
        )
    plain = document.plain()["units"]
    for index, record in enumerate(plain):
        if not isinstance(record, dict):
            raise DocumentError([document.problem(("units", index), "yaml", "expected a mapping")])

        def where(name: str, index: int = index) -> tuple[int, int]:
            path = ("names", name) if name in LANGUAGES else (name,)
            return document.position(("units", index, *path))

        yield record, where


def _text(path: Path, label: str) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise DocumentError(
                [DocumentProblem(label, 1, 1, "too-large", f"larger than {MAX_BYTES} bytes")]
            )
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise DocumentError([DocumentProblem(label, 1, 1, "unreadable", str(error))]) from None


_READERS: Final = {".csv": "csv", ".yaml": "yaml", ".yml": "yaml"}


def load_units_file(
    path: Path,
    kinds: UnitKinds,
    languages: Sequence[str] | None = None,
    *,
    name: str | None = None,
) -> Organisation:
    """Read a units file into an Organisation; DocumentError listing every mistake.

    `languages` are the plan's, the first being the default: its name is required.
    """
    label = name or str(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise DocumentError(
            [DocumentProblem(label, 1, 1, "file-kind", "a units file is .csv, .yaml or .yml")]
        )
    reading = _Reading(label)
    records = list(
        _csv_records(path, label, reading) if reader == "csv" else _yaml_records(path, label)
    )
    if len(records) > MAX_UNITS:
        reading.add((1, 1), "too-many", f"{len(records)} units, at most {MAX_UNITS}")
    if reading.problems:
        raise DocumentError(reading.problems)
    rows = _rows(records, kinds, languages, reading)
    _check_tree(rows, reading)
    if reading.problems:
        raise DocumentError(sorted(reading.problems, key=lambda p: (p.line, p.column)))
    units = [
        Unit(code=r.code, names=r.names, kind=r.kind, parent=r.parent_code)
        for r, _ in rows.values()
        if r.valid_to is None
    ]
    successors = {
        r.code: r.successor_code for r, _ in rows.values() if r.successor_code is not None
    }
    retired = [
        Unit(code=r.code, names=r.names, kind=r.kind)
        for r, _ in rows.values()
        if r.valid_to is not None
    ]
    try:
        return Organisation(units, kinds, successors, retired)
    except OrganisationError as error:  # every case is caught above with its line
        raise DocumentError([DocumentProblem(label, 1, 1, "organisation", str(error))]) from None


def _rows(
    records: list[tuple[dict[str, Any], Where]],
    kinds: UnitKinds,
    languages: Sequence[str] | None,
    reading: _Reading,
) -> dict[str, tuple[UnitRow, Where]]:
    rows: dict[str, tuple[UnitRow, Where]] = {}
    for record, where in records:
        texts = {**record, **(record.get("names") or {})}
        bad = next((k for k, v in texts.items() if isinstance(v, str) and _has_control(v)), None)
        if bad is not None:
            message = f"{bad}: a control character (such as NUL) is not text"
            reading.add(where(bad), "control-character", message)
            continue
        long = next(
            (k for k, v in texts.items() if isinstance(v, str) and len(v) > MAX_FIELD), None
        )
        if long is not None:
            reading.add(where(long), "too-long", f"{long}: longer than {MAX_FIELD} characters")
            continue
        try:
            row = UnitRow.model_validate(record)
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                column = str(detail["loc"][0]) if detail["loc"] else "code"
                if column == "names" and len(detail["loc"]) > 1:
                    column = str(detail["loc"][1])
                message = detail["msg"].removeprefix("Value error, ")
                reading.add(where(column), detail["type"], f"{column}: {message}")
            continue
        if row.code in rows:
            first = rows[row.code][1]("code")[0]
            reading.add(
                where("code"),
                "duplicate-code",
                f"unit code {row.code!r} is already on line {first}",
            )
            continue
        if row.kind not in kinds.codes:
            reading.add(
                where("kind"),
                "unknown-kind",
                f"unknown kind {row.kind!r}; the plan declares {', '.join(kinds.codes)}",
            )
        default = languages[0] if languages else None
        if default is not None and not getattr(row.names, default, None):
            reading.add(where(default), "missing-name", f"{row.code}: no name in {default!r}")
        if row.successor_code is not None and row.valid_to is None:
            reading.add(
                where("successor_code"),
                "successor-without-end",
                f"{row.code} merges into {row.successor_code}: give its last day in valid_to",
            )
        if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
            reading.add(where("valid_to"), "valid-to-before-from", "valid_to is before valid_from")
        rows[row.code] = (row, where)
    return rows


def _check_tree(rows: dict[str, tuple[UnitRow, Where]], reading: _Reading) -> None:
    """One root, known parents, no cycle; successors that exist and end in a unit in force."""
    current = {code: r for code, (r, _) in rows.items() if r.valid_to is None}
    roots = [code for code, r in current.items() if r.parent_code is None]
    if len(roots) != 1:
        lines = [rows[c][1]("parent_code") for c in roots]
        reading.add(
            lines[1] if len(lines) > 1 else (1, 1),
            "one-root",
            f"exactly one unit in force has no parent_code (the root); found {len(roots)}"
            + (f": {', '.join(roots)}" if roots else ""),
        )
    for code, (row, where) in rows.items():
        parent = row.parent_code
        if parent is not None and parent not in rows:
            reading.add(where("parent_code"), "missing-parent", f"unknown parent {parent!r}")
        elif parent is not None and row.valid_to is None and parent not in current:
            reading.add(
                where("parent_code"), "retired-parent", f"parent {parent!r} is retired (valid_to)"
            )
        heir = row.successor_code
        if heir is not None and heir not in rows:
            reading.add(
                where("successor_code"),
                "unknown-successor",
                f"{code} merges into {heir!r}, which is not in the file",
            )
    reported: set[str] = set()
    for start in current:
        chain = [start]
        parent = current[start].parent_code
        while parent is not None and parent in current and parent not in reported:
            if parent in chain:
                cycle = chain[chain.index(parent) :]
                reading.add(
                    rows[parent][1]("parent_code"),
                    "cycle",
                    f"units {' -> '.join([*cycle, parent])} are their own ancestors",
                )
                reported.update(cycle)
                break
            chain.append(parent)
            parent = current[parent].parent_code
    for start, (row, where) in rows.items():
        seen = [start]
        heir = row.successor_code
        while heir is not None and heir in rows and heir not in current:
            if heir in seen:
                reading.add(
                    where("successor_code"),
                    "successor-cycle",
                    f"units {' -> '.join([*seen, heir])} merge into one another",
                )
                break
            seen.append(heir)
            after = rows[heir][0].successor_code
            if after is None:
                reading.add(
                    where("successor_code"),
                    "retired-successor",
                    f"{start} merges into {heir}, which is retired without a successor",
                )
                break
            heir = after
