"""The prepared store every fault test copies: one of every record, a report awaiting
approval, a coordinator's token, a source system's token and a fresh dossier feed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from dxplan.demo import generate
from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.store.tokens import Scope
from dxplan.workspace import Workspace
from tests.backup import world

WAITING = "31150"  # Phường An Bình: its 2025Q3 report awaits approval


@dataclass(frozen=True)
class Template:
    data: Path  # the data folder to copy
    feed: list[Path]  # dossier files not yet imported
    coordinator: str  # bearer token of the coordinator
    source: str  # bearer token with dossiers:write


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    folder = tmp_path_factory.mktemp("fault-template")
    settings = Settings(data_dir=folder / "data")
    world.build(settings)
    with Workspace(settings) as workspace:
        organisation = workspace.organisation()
        assert organisation is not None
        with workspace.engine.begin() as conn:
            reporter = user_store.add(
                conn,
                f"ward-{WAITING}",
                role=Role.REPORTER,
                password=world.PASSWORD,
                units=[WAITING],
                actor="test",
            )
            reporting = workspace.reporting(conn)
            report = reporting.open(reporter, "past-results", WAITING, "2025Q3")
            values = {
                "past_results_valid": {WAITING: 512.0},
                "past_results_digitized": {WAITING: 389.0},
            }
            reporting.submit(reporter, reporting.save(reporter, report, values))
            coordinator = user_store.get(conn, "dieuphoi")
            assert coordinator is not None
            secret, _ = token_store.create(conn, "coordinator", [], "test", user_id=coordinator.id)
            source, _ = token_store.create(conn, "one-stop", [Scope.DOSSIERS_WRITE], "test")
    files = generate(folder / "feed", organisation, seed=11, years=(2025,), dossiers_per_year=5_000)
    return Template(settings.data_dir, list(files.dossiers), secret, source)
