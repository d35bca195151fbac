"""The open-data package: built from the public figures, written whole or not at all.

Only what a reader who has not signed in may see goes in: the policy names the
indicators (`policy.visible_indicators(plan, None)`), and the plan is cut down to them
before any value is read, so a confidential indicator's figures are never even loaded.
The values are the rows of `dxplan indicators export` (`exports/figures.py`), never
computed again here.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection

from dxplan import policy
from dxplan.domain.indicator import Indicator
from dxplan.domain.names import LANGUAGES, LocalizedText
from dxplan.domain.organisation import Organisation
from dxplan.domain.plan import Plan
from dxplan.exports.cells import SafeWriter
from dxplan.exports.figures import indicator_rows, number
from dxplan.opendata.schema import (
    DXPLAN_SOURCE,
    INDICATORS,
    PILLARS,
    RESOURCES,
    TARGETS,
    UNITS,
    VALUES,
)
from dxplan.opendata.schema import Resource as Table

DESCRIPTOR: Final = "datapackage.json"
Row = tuple[str, ...]


class OpenDataError(ValueError):
    """The package cannot be written where asked (the message says why); nothing changed."""


@dataclass(frozen=True)
class Licence:
    """The licence the figures are published under: an Open Definition / SPDX id."""

    name: str
    title: str


@dataclass(frozen=True)
class Sources:
    """What the rows are drawn from: the plan cut down to its public indicators."""

    conn: Connection
    plan: Plan
    organisation: Organisation


RowSource = Callable[[Sources], Iterator[Row]]
ROWS: dict[str, RowSource] = {}


def rows_of(table: Table) -> Callable[[RowSource], RowSource]:
    """Register the function as the source of `table`'s rows."""

    def register(function: RowSource) -> RowSource:
        ROWS[table.name] = function
        return function

    return register


def _texts(text: LocalizedText | None) -> Row:
    """A text in each language; empty where there is no translation."""
    return tuple(getattr(text, lang, None) or "" for lang in LANGUAGES)


@rows_of(PILLARS)
def _pillars(sources: Sources) -> Iterator[Row]:
    for pillar in sources.plan.pillars:
        yield (pillar.code, *_texts(pillar.names))


@rows_of(UNITS)
def _units(sources: Sources) -> Iterator[Row]:
    for unit in sources.organisation:
        yield (unit.code, *_texts(unit.names), unit.kind, unit.parent or "")


@rows_of(INDICATORS)
def _indicators(sources: Sources) -> Iterator[Row]:
    for i in sources.plan.indicators:
        yield (
            i.code,
            i.pillar,
            *_texts(i.names),
            i.kind.value,
            unit_of_measure(i),
            i.direction.value,
            str(i.numerator),
            str(i.denominator) if i.denominator is not None else "",
            i.source.value,
            i.lead_agency,
            *_texts(i.definition),
            *_texts(i.methodology),
        )


@rows_of(TARGETS)
def _targets(sources: Sources) -> Iterator[Row]:
    for i in sources.plan.indicators:
        target = i.target
        if target is None:
            continue
        baseline = target.baseline
        yield (
            i.code,
            target.op,
            number(target.value),
            target.deadline.isoformat(),
            number(baseline.value) if baseline else "",
            str(baseline.period) if baseline else "",
        )


@rows_of(VALUES)
def _values(sources: Sources) -> Iterator[Row]:
    return indicator_rows(sources.conn, sources.plan)


def unit_of_measure(indicator: Indicator) -> str:
    """`percent` for ratios, else the kind (`number`, `rank`), as /api/plan says it."""
    return "percent" if indicator.kind.value == "ratio" else indicator.kind.value


def public_plan(plan: Plan) -> Plan:
    """The plan with only the indicators that anyone may see (the policy's answer)."""
    return plan.model_copy(update={"indicators": policy.visible_indicators(plan, None)})


@dataclass(frozen=True)
class Package:
    """A whole package: its descriptor and the bytes of each CSV file."""

    descriptor: dict[str, Any]
    files: dict[str, bytes]  # `<resource>.csv` → its bytes
    rows: dict[str, int]  # resource name → number of rows
    plan: Plan  # the public plan the package was built from
    organisation: Organisation

    @cached_property
    def datapackage(self) -> bytes:
        """`datapackage.json` as written (UTF-8, indented)."""
        return (json.dumps(self.descriptor, ensure_ascii=False, indent=2) + "\n").encode()

    def all_files(self) -> dict[str, bytes]:
        return {DESCRIPTOR: self.datapackage, **self.files}


def _csv(table: Table, rows: Iterator[Row]) -> tuple[bytes, int]:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(table.header)
    count = 0
    for row in rows:
        if len(row) != len(table.header):  # a definition and its rows drifted apart
            raise AssertionError(f"{table.name}: {len(row)} cells for {len(table.header)}")
        writer.writerow(row)
        count += 1
    return out.getvalue().encode("utf-8"), count


def build_package(
    conn: Connection,
    plan: Plan,
    organisation: Organisation,
    licence: Licence,
    created: datetime,
) -> Package:
    """The open-data package of the stored figures, public indicators only."""
    public = public_plan(plan)
    sources = Sources(conn, public, organisation)
    files: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    resources: list[dict[str, Any]] = []
    for name, table in RESOURCES.items():
        data, counts[name] = _csv(table, ROWS[name](sources))
        files[table.path] = data
        resources.append(
            {
                "name": name,
                "path": table.path,
                "title": table.title,
                "description": table.description,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
                "schema": table.schema(),
            }
        )
    root = organisation.root
    descriptor: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": plan.code,
        "title": plan.names.get("vi"),
        "description": plan.names.get("en")
        + ": public indicators, their targets and their values by unit and period.",
        "created": created.isoformat(timespec="seconds"),
        "licenses": [{"name": licence.name, "title": licence.title}],
        "sources": [
            *([{"title": plan.source.get("vi")}] if plan.source else []),
            {"title": DXPLAN_SOURCE},
        ],
        "contributors": [{"title": root.names.get("vi"), "role": "publisher"}],
        "resources": resources,
    }
    return Package(descriptor, files, counts, public, organisation)


def write_package(package: Package, directory: Path) -> None:
    """Write `package` into `directory`, all of it or nothing.

    The files are written into a new folder beside `directory`, then renamed into
    place: a failure on the way leaves `directory` as it was. `directory` may be new,
    empty, or hold an earlier package (replaced whole); any other content is refused,
    so that no one's files are deleted.
    """
    directory = directory.resolve()  # "." gets a name and a parent; a link, its target
    names = set(package.all_files())
    known = names | {table.path for table in RESOURCES.values()}
    if directory.exists() and not directory.is_dir():
        raise OpenDataError(f"{directory} is a file, not a folder")
    if directory.is_dir():
        others = sorted(p.name for p in directory.iterdir() if p.name not in known or p.is_dir())
        if others:
            shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
            raise OpenDataError(
                f"{directory} holds files that are not an open-data package ({shown}): "
                "choose a new or empty folder"
            )
    parent = directory.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OpenDataError(f"cannot create {parent}: {error.strerror}") from None
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".new", dir=parent))
    try:
        for name, data in package.all_files().items():
            with (staging / name).open("wb") as handle:
                handle.write(data)
        staging.chmod(0o755)  # mkdtemp makes a private folder; a package is for sharing
        _replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _replace(staging: Path, directory: Path) -> None:
    """Rename `staging` to `directory`; an earlier package there is swapped out first."""
    if not directory.exists() or not any(directory.iterdir()):
        staging.replace(directory)  # a rename: an empty folder is replaced atomically
        return
    old = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".old", dir=directory.parent))
    old.rmdir()
    directory.rename(old)
    try:
        staging.rename(directory)
    except BaseException:
        old.rename(directory)
        raise
    shutil.rmtree(old, ignore_errors=True)
