"""The registry of computed measures and the code that computes them say the same."""

from __future__ import annotations

from datetime import date

import pytest

from dxplan.domain.computed import COMPUTED, ComputedMeasure, Registry
from dxplan.domain.measure import SourceKind, TimeAggregation
from dxplan.domain.names import LocalizedText
from dxplan.domain.period import DEFAULT_CALENDAR
from dxplan.engine.calendar import grid, months_table
from dxplan.engine.definitions import CATALOG_SQL, DOSSIER_SQL, dossier_measures_sql
from dxplan.engine.engines import DuckDBEngine
from dxplan.reporting import platform
from dxplan.workspace import Workspace


def test_the_engine_counts_exactly_the_registered_measures() -> None:
    assert set(DOSSIER_SQL) == set(COMPUTED.codes(SourceKind.DOSSIERS))
    assert set(CATALOG_SQL) == set(COMPUTED.codes(SourceKind.CATALOG))
    with DuckDBEngine([], [], months_table(grid(202501, 202512), DEFAULT_CALENDAR)) as engine:
        dossiers = engine.query(dossier_measures_sql(incremental=False))
        catalog = engine.catalog_measures()
    assert dossiers.column_names[2:] == list(COMPUTED.codes(SourceKind.DOSSIERS))
    assert catalog.column_names[2:] == list(COMPUTED.codes(SourceKind.CATALOG))


def test_every_platform_part_fills_exactly_its_registered_measures(workspace: Workspace) -> None:
    parts = {m.part for m in COMPUTED.of(SourceKind.PLATFORM)}
    assert parts == set(platform.PARTS)
    assert COMPUTED.codes(SourceKind.PLATFORM) == platform.MEASURES
    plan, organisation = workspace.plan(), workspace.organisation()
    assert plan is not None and organisation is not None
    with workspace.engine.connect() as conn:
        for part, compute in platform.PARTS.items():
            # the shipped plan's year is over: every report is expected, on time or not
            filled = {key[0] for key in compute(conn, plan, organisation, date(2026, 2, 1))}
            assert filled == set(COMPUTED.codes(SourceKind.PLATFORM, part)), part


def test_stocks_are_read_at_the_period_end() -> None:
    last = {m.code for m in COMPUTED if m.time_aggregation is TimeAggregation.LAST}
    assert "dossiers_overdue_open" in last and "dossiers_received" not in last
    assert {"procedures_in_force", "units_total", "communes_and_wards"} <= last


def test_every_measure_is_defined_in_vietnamese_and_english() -> None:
    for measure in COMPUTED:
        assert measure.definition.vi and measure.definition.en, measure.code
        assert measure.names.vi and measure.names.en, measure.code


def _one(code: str, source: SourceKind) -> ComputedMeasure:
    text = LocalizedText(vi="x", en="x")
    return ComputedMeasure(code, source, "part", text, text, TimeAggregation.SUM)


def test_the_registry_refuses_twice_the_same_code_and_reported_measures() -> None:
    registry = Registry()
    registry.register(_one("a", SourceKind.PLATFORM))
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(_one("a", SourceKind.DOSSIERS))
    with pytest.raises(ValueError, match="reported"):
        registry.register(_one("b", SourceKind.REPORTED))
    assert registry.codes(SourceKind.PLATFORM) == ("a",)
