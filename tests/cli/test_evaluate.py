"""`dxplan evaluate --format json`: the contract, on series a person can check by hand.

The city's figures, as of 2025-11-08 (October is the last month that ended):
- GOV-01 (a stock): 100 procedures in force every month, 50 online in January rising
  by 2 a month to 68 in October. The straight line through these points is exact, so
  December's projection is 72 with a zero-width interval: the target ≥ 100 % cannot
  be met (off_track), and the pace still needed is (100 − 68) / 2 months = 16 points.
- GOV-03 (a flow): 100 dossiers received and 85 online each month: 85 % so far and
  85 % projected: on track for ≥ 80 %, no pace needed.
- GOV-10 (no target): monitored. ECO-01 (nothing reported): no_data.
- 2024, over by then: GOV-03 at 70 % every month, not_achieved.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.settings import Settings
from dxplan.store import values as value_store
from dxplan.workspace import Workspace

CONTRACT = {
    "indicator",
    "unit_code",
    "period",
    "value",
    "target",
    "status",
    "projection",
    "required_monthly_pace",
}


def _month_values(year: int, figures: dict[str, list[float]]) -> list[MeasureValue]:
    found = []
    for measure, numbers in figures.items():
        for month, number in enumerate(numbers, start=1):
            period = Period.parse(f"{year}-{month:02d}")
            found.append(MeasureValue(measure, "92", period, number, "test"))
    return found


@pytest.fixture
def store(cli: Any, tmp_path: Any) -> Any:
    assert cli("init").exit_code == 0
    with Workspace(Settings(data_dir=tmp_path / "data")) as workspace:
        values = _month_values(
            2025,
            {
                "procedures_in_force": [100] * 10,
                "procedures_online": [50 + 2 * i for i in range(10)],
                "dossiers_received": [100] * 10,
                "dossiers_online": [85] * 10,
                "dossiers_finished_with_due": [10] * 10,
                "dossiers_finished_on_time": [9] * 10,
            },
        ) + _month_values(2024, {"dossiers_received": [100] * 12, "dossiers_online": [70] * 12})
        with workspace.engine.begin() as conn:
            value_store.record(conn, values, actor="test")
    return cli


def _evaluate(cli: Any, *args: str) -> dict[str, dict[str, Any]]:
    result = cli("evaluate", *args, "--unit", "92", "--as-of", "2025-11-08", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert all(set(row) >= CONTRACT for row in rows)
    return {row["indicator"]: row for row in rows}


def test_every_indicator_of_the_city_is_evaluated(store: Any) -> None:
    rows = _evaluate(store, "--period", "2025")
    assert len(rows) == 27  # every indicator of the shipped plan, for the city
    assert {row["unit_code"] for row in rows.values()} == {"92"}
    assert {row["period"] for row in rows.values()} == {"2025"}


def test_a_stock_on_a_straight_line(store: Any) -> None:
    gov01 = _evaluate(store, "--period", "2025")["GOV-01"]
    assert gov01["value"] == pytest.approx(68)
    assert gov01["target"] == {"op": ">=", "value": 100}
    assert gov01["projection"]["value"] == pytest.approx(72)
    assert gov01["projection"]["low"] == pytest.approx(72)
    assert gov01["projection"]["high"] == pytest.approx(72)
    assert gov01["status"] == "off_track"
    assert gov01["required_monthly_pace"] == pytest.approx(16)


def test_a_flow_already_above_its_target(store: Any) -> None:
    gov03 = _evaluate(store, "--period", "2025")["GOV-03"]
    assert gov03["value"] == pytest.approx(85)
    assert gov03["projection"]["value"] == pytest.approx(85)
    assert gov03["status"] == "on_track"
    assert gov03["required_monthly_pace"] is None


def test_monitored_and_no_data(store: Any) -> None:
    rows = _evaluate(store, "--period", "2025")
    assert rows["GOV-10"]["status"] == "monitored"
    assert rows["GOV-10"]["value"] == pytest.approx(90)
    assert rows["GOV-10"]["target"] is None and rows["GOV-10"]["projection"] is None
    assert rows["ECO-01"]["status"] == "no_data" and rows["ECO-01"]["value"] is None


def test_a_period_that_is_over(store: Any) -> None:
    gov03 = _evaluate(store, "--period", "2024")["GOV-03"]
    assert gov03["value"] == pytest.approx(70)
    assert gov03["status"] == "not_achieved"


def test_bad_arguments_are_refused(store: Any) -> None:
    assert store("evaluate", "--period", "2025Q9").exit_code == 2
    assert store("evaluate", "--period", "2025", "--unit", "99999").exit_code == 2
    assert store("evaluate", "--period", "2025", "--as-of", "8/11/2025").exit_code == 2
