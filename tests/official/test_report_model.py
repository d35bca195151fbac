"""The document model: what a reader may not see is left out of every part."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dxplan.documents import DocumentError
from dxplan.domain.period import Period
from dxplan.official.gather import gather, within
from dxplan.official.report import OfficialReportError
from dxplan.plans import __file__ as plans_file
from dxplan.workspace import Workspace, check_plan_file
from tests.dashboard_values import AS_OF, record_dashboard_values


def test_hidden_indicators_are_left_out_everywhere(workspace: Workspace) -> None:
    record_dashboard_values(workspace)
    quarter = Period.parse("2025Q3")
    shown = gather(workspace, period=quarter, unit=None, as_of=AS_OF)
    hidden = gather(workspace, period=quarter, unit=None, as_of=AS_OF, hidden={"SOC-02"})
    assert "SOC-02" in {r.indicator.code for r in shown.rows}
    assert "SOC-02" in {reading.indicator for reading, _ in shown.figures}
    assert "SOC-02" not in {r.indicator.code for r in hidden.rows}
    assert "SOC-02" not in {reading.indicator for reading, _ in hidden.figures}
    assert len(hidden.rows) == len(shown.rows) - 1


def test_the_periods_inside_a_period() -> None:
    assert [str(p) for p in within(Period.parse("2025Q3"))] == [
        "2025Q3",
        "2025-07",
        "2025-08",
        "2025-09",
    ]
    assert len(within(Period.parse("2025"))) == 1 + 2 + 4 + 12


def test_a_plan_without_an_issuer_is_refused(workspace: Workspace) -> None:
    plan = workspace.plan()
    assert plan is not None and plan.issuer is not None
    bare = plan.model_copy(update={"issuer": None})
    workspace.plan = lambda conn=None: bare  # type: ignore[method-assign]
    with pytest.raises(OfficialReportError, match="no `issuer:` section"):
        gather(workspace, period=Period.parse("2025Q3"), unit=None, as_of=date(2025, 11, 8))


def test_an_issuer_for_a_unit_outside_the_organisation_is_a_mistake(tmp_path: Path) -> None:
    shipped = (Path(plans_file).parent / "cantho-2025.yaml").read_text("utf-8")
    wrong = tmp_path / "plan.yaml"
    wrong.write_text(shipped.replace('    "31135":', '    "99999":'), "utf-8")
    with pytest.raises(DocumentError) as raised:
        check_plan_file(wrong)
    (problem,) = raised.value.problems
    assert "unknown unit '99999'" in str(problem)
    assert f"{wrong}:" in str(problem)  # the file and the line of the mistake
