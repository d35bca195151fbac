"""The board and the open data follow the units: a unit renamed by `dxplan init` while
the server runs is shown under its new name, though no figure changed (both used to be
kept until one did)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from dxplan.settings import Settings
from dxplan.units import agencies_file_for
from dxplan.web import create_app
from dxplan.workspace import Workspace
from tests.dashboard_values import AS_OF, record_dashboard_values

OLD, NEW = "Sở Nội vụ", "Sở Nội vụ và Lao động"


def test_a_renamed_unit_shows_its_new_name(tmp_path: Path) -> None:
    agencies = tmp_path / "agencies.yaml"
    shutil.copy(agencies_file_for("92"), agencies)
    settings = Settings(
        data_dir=tmp_path / "data", as_of=AS_OF, agencies_file=agencies, board_check_seconds=0
    )
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        record_dashboard_values(workspace)
    with TestClient(create_app(settings)) as client:
        for reader in ("/api/dashboard/units/92-SNV", "/units/92-SNV"):
            page = client.get(reader)
            assert page.status_code == 200 and OLD in page.text and NEW not in page.text
        text = agencies.read_text("utf-8")
        assert f"vi: {OLD}\n" in text
        agencies.write_text(text.replace(f"vi: {OLD}\n", f"vi: {NEW}\n"), "utf-8")
        with Workspace(settings) as workspace:
            assert workspace.initialise(actor="test").units.changed == 1
        for reader in ("/api/dashboard/units/92-SNV", "/units/92-SNV"):
            assert NEW in client.get(reader).text, reader


def test_the_open_data_units_show_the_new_name(tmp_path: Path) -> None:
    agencies = tmp_path / "agencies.yaml"
    shutil.copy(agencies_file_for("92"), agencies)
    settings = Settings(data_dir=tmp_path / "data", as_of=AS_OF, agencies_file=agencies)
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
    with TestClient(create_app(settings)) as client:
        before = client.get("/opendata/units.csv")
        assert before.status_code == 200 and OLD in before.text and NEW not in before.text
        text = agencies.read_text("utf-8")
        agencies.write_text(text.replace(f"vi: {OLD}\n", f"vi: {NEW}\n"), "utf-8")
        with Workspace(settings) as workspace:
            assert workspace.initialise(actor="test").units.changed == 1
        assert NEW in client.get("/opendata/units.csv").text
