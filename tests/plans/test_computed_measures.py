"""A plan may use any subset of the measures dxplan computes, including none.

Before the registry: a plan of reported figures only made `dxplan compute` and
`dxplan import` fail on a query with an empty column list; a plan with
`units_with_focal_point` but not `units_total` made them fail with KeyError; a computed
measure with a code nobody computes passed validation and stayed empty for ever.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dxplan.cli import app as cli_app
from dxplan.domain.computed import COMPUTED
from dxplan.domain.measure import SourceKind

FILES = Path(__file__).parent / "files"
REPORTED_ONLY = FILES / "reported-only.yaml"
FOCAL_POINTS_ONLY = FILES / "focal-points-only.yaml"
WARD = "31135"  # a ward of Can Tho

DOSSIERS = (
    "dossier_id,procedure_code,unit_code,channel,received_at,due_at,finished_at,status,"
    "fee_required,paid_online,input_digitized,result_digitized,updated_at\n"
    f"D-1,1.004227,{WARD},online,2025-07-01T08:00:00+07:00,2025-07-10T17:00:00+07:00,"
    "2025-07-03T09:00:00+07:00,finished,false,false,true,true,\n"
)
PROCEDURES = (
    "procedure_code,name,agency_code,level,online_level,on_national_portal,has_fee,"
    "online_payment,valid_from,valid_to\n"
    "1.004227,Đăng ký khai sinh,92-STP,commune,full,true,false,false,,\n"
)


@pytest.fixture
def run(tmp_path: Path, database_url: str) -> Callable[..., Any]:
    """`dxplan ARGS...` with `plan` in force, on SQLite or PostgreSQL."""

    def invoke(plan: Path, *args: str) -> Any:
        env = {
            "DXPLAN_DATABASE_URL": database_url,
            "DXPLAN_DATA_DIR": str(tmp_path / "data"),
            "DXPLAN_PLAN_FILE": str(plan),
            "DXPLAN_AS_OF": "2025-11-08",
        }
        return CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)

    return invoke


def _figures(run: Callable[..., Any], plan: Path) -> dict[tuple[str, str, str], float]:
    result = run(plan, "measures", "export", "--format", "csv")
    assert result.exit_code == 0, result.output
    return {
        (r["measure"], r["unit_code"], r["period"]): float(r["value"])
        for r in csv.DictReader(io.StringIO(result.stdout))
    }


def test_a_plan_of_reported_figures_only_imports_and_computes(
    run: Callable[..., Any], tmp_path: Path
) -> None:
    assert run(REPORTED_ONLY, "init").exit_code == 0
    dossiers = tmp_path / "dossiers.csv"
    dossiers.write_text(DOSSIERS, encoding="utf-8")
    procedures = tmp_path / "procedures.csv"
    procedures.write_text(PROCEDURES, encoding="utf-8")

    imported = run(REPORTED_ONLY, "import", "dossiers", str(dossiers))
    assert imported.exit_code == 0, imported.output
    assert "1 changed the store" in imported.stdout
    catalog = run(REPORTED_ONLY, "import", "procedures", str(procedures))
    assert catalog.exit_code == 0, catalog.output
    computed = run(REPORTED_ONLY, "compute", "--full")
    assert computed.exit_code == 0, computed.output
    assert "figures: 0 values updated" in computed.stdout
    # the dossier is stored, but the plan has no measure to count it in
    assert _figures(run, REPORTED_ONLY) == {}


def test_a_plan_with_one_catalog_measure_and_no_dossier_measure(
    run: Callable[..., Any], tmp_path: Path
) -> None:
    plan, _ = _plan_with(
        tmp_path,
        "  - code: procedures_in_force\n    names: {vi: Thủ tục}\n    source: catalog\n"
        "    time_aggregation: last\n",
    )
    assert run(plan, "init").exit_code == 0
    procedures = tmp_path / "procedures.csv"
    procedures.write_text(PROCEDURES, encoding="utf-8")
    imported = run(plan, "import", "procedures", str(procedures))
    assert imported.exit_code == 0, imported.output
    figures = _figures(run, plan)
    # one procedure of the Department of Justice, in force in every month counted (with
    # no dossiers, the engine counts the current year), for it and for the city
    assert figures, "the catalog measure was computed"
    assert {(measure, unit) for measure, unit, _ in figures} == {
        ("procedures_in_force", "92-STP"),
        ("procedures_in_force", "92"),
    }
    assert set(figures.values()) == {1.0}


def test_focal_points_without_the_units_in_total(run: Callable[..., Any]) -> None:
    assert run(FOCAL_POINTS_ONLY, "init").exit_code == 0
    named = run(FOCAL_POINTS_ONLY, "focal-points", "set", WARD, "--name", "Nguyễn Văn An")
    assert named.exit_code == 0, named.output
    computed = run(FOCAL_POINTS_ONLY, "compute")
    assert computed.exit_code == 0, computed.output
    figures = _figures(run, FOCAL_POINTS_ONLY)
    assert figures[("units_with_focal_point", "92", "2025")] == 1.0  # one ward named one
    assert figures[("units_with_focal_point", WARD, "2025")] == 1.0
    assert not [key for key in figures if key[0] != "units_with_focal_point"]


def _plan_with(tmp_path: Path, measure: str) -> tuple[Path, int]:
    """The reported-only plan with one more measure; and the line of its `code`."""
    text = REPORTED_ONLY.read_text("utf-8")
    at = text.index("indicators:")
    text = text[:at] + measure + text[at:]
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text.count("\n", 0, at) + 1


def _validate(cli: Callable[..., Any], path: Path) -> list[str]:
    result = cli("plan", "validate", str(path))
    assert result.exit_code == 2, result.output
    assert "nothing was stored" in result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith(str(path))]


def test_an_unknown_dossier_measure_is_refused_naming_the_known_ones(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    path, line = _plan_with(
        tmp_path,
        "  - code: dossiers_recieved\n    names: {vi: Hồ sơ}\n    source: dossiers\n",
    )
    (problem,) = _validate(cli, path)
    assert problem.startswith(f"{path}:{line}:5: ")
    assert "'dossiers_recieved' is not a dossiers measure dxplan computes" in problem
    for code in ("dossiers_received", "dossiers_overdue_open"):
        assert code in problem
    assert "procedures_in_force" not in problem, "only the known ones of that source"


def test_an_unknown_platform_measure_is_refused(cli: Callable[..., Any], tmp_path: Path) -> None:
    path, line = _plan_with(
        tmp_path,
        "  - code: tasks_done\n    names: {vi: Nhiệm vụ}\n    source: platform\n",
    )
    (problem,) = _validate(cli, path)
    assert problem.startswith(f"{path}:{line}:5: ")
    known = ", ".join(COMPUTED.codes(SourceKind.PLATFORM))
    assert (
        f"'tasks_done' is not a platform measure dxplan computes; the known ones are: {known}"
        in (problem)
    )


def test_a_computed_measure_under_another_source(cli: Callable[..., Any], tmp_path: Path) -> None:
    path, line = _plan_with(
        tmp_path,
        "  - code: procedures_in_force\n    names: {vi: Thủ tục}\n    source: dossiers\n"
        "    time_aggregation: last\n",
    )
    (problem,) = _validate(cli, path)
    assert problem.startswith(f"{path}:{line + 2}:5: ")  # the `source:` line
    assert "computed from the catalog, not the dossiers" in problem


def test_a_computed_measure_with_another_aggregation(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    # a stock summed over months would count each open dossier once a month
    path, line = _plan_with(
        tmp_path,
        "  - code: dossiers_overdue_open\n    names: {vi: Hồ sơ quá hạn}\n"
        "    source: dossiers\n    time_aggregation: sum\n",
    )
    (problem,) = _validate(cli, path)
    assert problem.startswith(f"{path}:{line + 3}:5: ")
    assert "aggregates by last, not sum: write `time_aggregation: last`" in problem


def test_a_reported_measure_may_have_any_code(cli: Callable[..., Any], tmp_path: Path) -> None:
    path, _ = _plan_with(
        tmp_path,
        "  - code: tasks_done\n    names: {vi: Nhiệm vụ}\n    source: reported\n",
    )
    result = cli("plan", "validate", str(path))
    assert result.exit_code == 0, result.output
