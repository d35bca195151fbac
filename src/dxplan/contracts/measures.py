"""`docs/measures.md` and the measures table of `docs/operational-data.md`, from the registry."""

from __future__ import annotations

from typing import Final

from dxplan.contracts.files import markdown_table
from dxplan.domain.computed import COMPUTED, ComputedMeasure
from dxplan.domain.measure import SourceKind

_SOURCES: Final = {
    SourceKind.DOSSIERS: "From the dossier records (`dossiers` feed)",
    SourceKind.CATALOG: "From the procedure catalog (`procedures` feed)",
    SourceKind.PLATFORM: "From dxplan's own records",
}
_AGGREGATION: Final = {"sum": "sum", "last": "last"}

_INTRO = """\
# Measures dxplan computes

<!-- Generated from src/dxplan/domain/computed.py by scripts/contracts.py: do not edit. -->

A plan declares its measures; every measure whose `source` is `dossiers`, `catalog`
or `platform` is computed by dxplan, never reported, and must be one of those below,
declared with the same source and aggregation (`dxplan plan validate` refuses any
other, listing the known ones). A plan may use any of them, or none: a plan whose
figures are all reported by units is valid. Measures with `source: reported` may
have any code.

Each value is one unit's figure for one calendar month in the plan's local time ("m"
below; "the end of m" is the first instant of the next month). A unit with units under
it adds up theirs. A longer period (quarter, half, year) adds up its months (sum) or
takes the value at the end of its last month (last). Withdrawn dossiers count nowhere.
"""


def _row(measure: ComputedMeasure) -> list[str]:
    return [
        f"`{measure.code}`",
        measure.names.get("en"),
        measure.definition.get("en"),
        _AGGREGATION[measure.time_aggregation.value],
        f"`{measure.part}`",
    ]


def _vi_row(measure: ComputedMeasure) -> list[str]:
    return [f"`{measure.code}`", measure.names.get("vi"), measure.definition.get("vi")]


def page() -> str:
    parts = [_INTRO]
    for source, title in _SOURCES.items():
        rows = [_row(m) for m in COMPUTED.of(source)]
        parts.append(f"\n## {title}: `source: {source}`\n\n")
        parts.append(
            markdown_table(("code", "name", "one month of one unit", "over time", "part"), rows)
        )
    parts.append("\n## Định nghĩa (tiếng Việt)\n\n")
    parts.append(markdown_table(("mã", "tên", "định nghĩa"), [_vi_row(m) for m in COMPUTED]))
    return "".join(parts)


def feed_table() -> str:
    """The dossier and catalog measures, for the feeds contract."""
    rows = [
        [f"`{m.code}`", m.definition.get("en"), _AGGREGATION[m.time_aggregation.value]]
        for source in (SourceKind.DOSSIERS, SourceKind.CATALOG)
        for m in COMPUTED.of(source)
    ]
    return markdown_table(("measure", "counts", "over time"), rows)
