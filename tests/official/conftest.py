"""A store with the dashboard's figures (tests/dashboard_values.py), shared by the CLI.

Added to them: 2024, with 100 dossiers received and 70 online each month at the city,
so GOV-03 a year before 2025Q3 is 70 %.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.settings import Settings
from dxplan.store import values as value_store
from dxplan.workspace import Workspace
from tests.dashboard_values import AS_OF, record_dashboard_values


@pytest.fixture
def store(
    cli: Callable[..., Any], database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Any]:
    """`dxplan` on an initialised store holding the dashboard's figures, as of AS_OF."""
    monkeypatch.setenv("DXPLAN_DATABASE_URL", database_url)
    monkeypatch.setenv("DXPLAN_AS_OF", AS_OF.isoformat())
    assert cli("init").exit_code == 0
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    with Workspace(settings) as workspace:
        record_dashboard_values(workspace)
        year_before = [
            MeasureValue(measure, "92", Period.parse(f"2024-{month:02d}"), number, "test")
            for measure, number in (("dossiers_received", 100.0), ("dossiers_online", 70.0))
            for month in range(1, 13)
        ]
        with workspace.writing() as conn:
            value_store.record(conn, year_before, actor="test")
    return cli
