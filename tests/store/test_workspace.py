"""`Workspace.initialise` on both databases: the plan and the units, once, atomically."""

import pytest
from sqlalchemy import func, select

from dxplan.documents import DocumentError
from dxplan.store.tables import audit_log, units
from dxplan.workspace import Workspace


def test_initialise_loads_plan_and_units(workspace):
    plan = workspace.plan()
    assert plan is not None and plan.code == "cantho-dx-2025"
    organisation = workspace.organisation()
    assert len(organisation) == 124
    assert organisation.root.code == "92"


def test_initialise_again_changes_nothing(workspace):
    with workspace.engine.connect() as conn:
        entries = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    report = workspace.initialise(actor="test")
    assert report.plan_version == 1
    assert (report.units.added, report.units.changed, report.units.unchanged) == (0, 0, 124)
    with workspace.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() == entries
        assert conn.execute(select(func.count()).select_from(units)).scalar_one() == 124


def test_a_bad_agency_file_leaves_an_empty_store_empty(make_settings, database_url, tmp_path):
    agencies = tmp_path / "agencies.yaml"
    agencies.write_text('parent: "92"\nagencies:\n  - code: "31120"\n    names: {vi: X}\n')
    with Workspace(make_settings(database_url=database_url, agencies_file=agencies)) as ws:
        with pytest.raises(DocumentError, match="unit code '31120' is taken") as caught:
            ws.initialise()
        assert str(caught.value).startswith(f"{agencies}:3:5:")  # line 3: `- code: "31120"`
        assert not ws.initialised
