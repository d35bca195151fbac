"""`dxplan demo` fills an empty workspace: the dashboard shows the demo year's figures."""

from fastapi.testclient import TestClient

from dxplan.demo.load import has_data, load_demo
from dxplan.web import create_app


def test_demo_data_reaches_the_overview(workspace):
    assert not has_data(workspace)
    loaded = load_demo(workspace, dossiers_per_year=4000)
    assert loaded.procedures.rejected == 0 and loaded.dossiers.rejected == 0
    assert loaded.dossiers.stored == 8000
    assert has_data(workspace)
    with TestClient(create_app(workspace.settings)) as client:
        lines = {x["indicator"]: x for x in client.get("/api/overview").json()["indicators"]}
    # the digital-government figures of the demo year, for the city
    for code in ("GOV-01", "GOV-02", "GOV-03", "GOV-04", "GOV-06", "GOV-07", "GOV-10", "GOV-11"):
        assert lines[code]["period"] == "2025", code
        assert 0 < lines[code]["value"] <= 100, code
    # reported indicators stay empty until units report
    assert lines["ECO-01"]["value"] is None
