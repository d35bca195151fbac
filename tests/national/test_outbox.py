"""The outbox table as migration 0006 makes it, the backoff, the mapping file's checks."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from dxplan.documents import DocumentError
from dxplan.national.delivery import backoff
from dxplan.national.mapping import DEFAULT_MAPPING, load_mapping
from dxplan.settings import Settings
from dxplan.store.tables import metadata


def test_migration_0006_makes_the_table_the_code_uses(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diffs if "national_outbox" in repr(d)] == []


def test_backoff_doubles_within_its_cap_with_jitter(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(national_backoff_seconds=1, national_backoff_max_seconds=10)
    rng = random.Random(7)
    for retry, full in ((1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (12, 10)):
        waits = [backoff(settings, retry, rng) for _ in range(50)]
        assert all(full / 2 <= w <= full for w in waits)
        assert len(set(waits)) > 1  # jittered: senders that failed together spread out


def test_the_shipped_mapping_keeps_dxplan_names() -> None:
    mapping = load_mapping()
    assert mapping.path == "/packets"
    assert mapping.item("kpi_data", {"indicator": "GOV-03", "unit": "92", "value": 1}) == {
        "indicator": "GOV-03",
        "unit": "92",
        "value": 1,
    }
    assert mapping.item("kpi_catalog", {"indicator": "GOV-03", "formula": "a"}) == {
        "indicator": "GOV-03"
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("  unit: unit\n", "  unit: indicator\n"), "indicator given to more than one field"),
        (("  kpi_data: kpi_data\n", "  kpi_data: kpi_data\n  kpi_extra: x\n"), "unknown key"),
        (("path: /packets", "path: packets"), "path"),
        (("unit_codes: {}", "unit_codes: {92-SXD: X1, 92-STP: X1}"), "X1 given to more than one"),
    ],
)
def test_a_bad_mapping_is_refused_with_its_line(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = DEFAULT_MAPPING.read_text(encoding="utf-8")
    assert change[0] in text
    bad = tmp_path / "mapping.yaml"
    bad.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(DocumentError) as error:
        load_mapping(bad)
    assert message in str(error.value)
    assert str(error.value).startswith(f"{bad}:")
