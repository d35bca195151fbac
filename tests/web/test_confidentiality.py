"""Confidentiality follows the data: a confidential data set's figures stay off every
public surface, and public scores cover the public indicators only.

SOC-08 (residents 15+ with a payment account) reads the bank-accounts data set, which
the plan marks confidential; the plan does not mark SOC-08 itself. Here the city's
Q3 figure is 500 of 1,000 residents: 50 % against a target of 80 %, an attainment of
50 / 80 = 0.625.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dxplan.domain.account import Role
from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.plans import DEFAULT_PLAN, load_plan
from dxplan.settings import Settings
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.store import values as value_store
from dxplan.web import create_app
from dxplan.workspace import Workspace
from tests.dashboard_values import AS_OF, record_dashboard_values

SECRET = "SOC-08"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("confidential")
    settings = Settings(data_dir=folder, as_of=AS_OF)
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        record_dashboard_values(workspace)
        q3 = Period.parse("2025Q3")
        with workspace.engine.begin() as conn:
            value_store.record(
                conn,
                [
                    MeasureValue("residents_15plus_with_account", "92", q3, 500.0, "reported"),
                    MeasureValue("residents_15plus", "92", q3, 1000.0, "reported"),
                ],
                actor="test",
            )
            user = user_store.add(
                conn, "lanhdao", role=Role.VIEWER, password="x" * 12, units=[], actor="test"
            )
            secret, _ = token_store.create(conn, "lanhdao-token", [], "test", user_id=user.id)
    with TestClient(create_app(settings)) as client:
        yield client, {"Authorization": f"Bearer {secret}"}


def _tiles(twin: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["indicator"]: t for p in twin["pillars"] for t in p["tiles"]}


def test_the_plan_derives_confidentiality_from_the_data_set() -> None:
    plan = load_plan(DEFAULT_PLAN)
    assert plan.indicator(SECRET).confidential
    assert plan.dataset_of("residents_15plus").confidential  # type: ignore[union-attr]
    assert not plan.indicator("GOV-01").confidential


def test_an_indicator_left_unmarked_becomes_confidential(tmp_path: Path) -> None:
    text = DEFAULT_PLAN.read_text("utf-8")
    marked = "    confidential: true  # from the bank-accounts data set, which is confidential\n"
    assert marked in text
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(text.replace(marked, ""), "utf-8")
    assert load_plan(plan_file).indicator(SECRET).confidential


def test_no_public_surface_shows_the_figure(world: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = world
    assert f'data-indicator="{SECRET}"' not in client.get("/").text
    assert SECRET not in _tiles(client.get("/api/dashboard/overview").json())
    assert f'data-indicator="{SECRET}"' not in client.get("/pillars/SOC").text
    assert SECRET not in client.get("/api/dashboard/pillars/SOC").text
    assert SECRET not in client.get("/api/dashboard/units/92").text
    overview = client.get("/api/overview").json()["indicators"]
    assert SECRET not in {line["indicator"] for line in overview}
    assert client.get(f"/api/dashboard/indicators/{SECRET}").status_code == 401
    assert client.get(f"/indicators/{SECRET}.csv").status_code == 401
    page = client.get(f"/indicators/{SECRET}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/sign-in")
    for path in ("/api/dashboard/alerts", "/api/dashboard/rankings"):
        assert "residents_15plus" not in client.get(path).text


def test_a_signed_in_reader_sees_it(world: tuple[TestClient, dict[str, str]]) -> None:
    client, leader = world
    tile = _tiles(client.get("/api/dashboard/overview", headers=leader).json())[SECRET]
    assert tile["value"] == pytest.approx(50.0)
    assert tile["attainment"] == pytest.approx(0.625)  # 50 / 80
    overview = client.get("/api/overview", headers=leader).json()["indicators"]
    line = next(line for line in overview if line["indicator"] == SECRET)
    assert (line["numerator"], line["denominator"]) == (500.0, 1000.0)
    assert client.get(f"/api/dashboard/indicators/{SECRET}", headers=leader).status_code == 200


def _pillar_score(twin: dict[str, Any], code: str) -> float:
    """The mean attainment of a pillar's tiles that have one (every weight is 1)."""
    pillar = next(p for p in twin["pillars"] if p["code"] == code)
    shares = [t["attainment"] for t in pillar["tiles"] if t["attainment"] is not None]
    return sum(shares) / len(shares)


def test_public_scores_cover_public_indicators_only(
    world: tuple[TestClient, dict[str, str]],
) -> None:
    client, leader = world
    public = client.get("/api/dashboard/overview").json()
    signed = client.get("/api/dashboard/overview", headers=leader).json()
    soc_public = next(p for p in public["pillars"] if p["code"] == "SOC")["score"]
    soc_signed = next(p for p in signed["pillars"] if p["code"] == "SOC")["score"]
    # each score is the mean of the attainments its reader can see, and no more
    assert soc_public == pytest.approx(_pillar_score(public, "SOC"))
    assert soc_signed == pytest.approx(_pillar_score(signed, "SOC"))
    assert soc_public != pytest.approx(soc_signed)
    assert public["score_note"]["covers"] == "public" and public["score_note"]["text"]
    assert signed["score_note"] == {"covers": "all", "text": None}
    assert "chỉ tính các chỉ tiêu công khai" in client.get("/").text.lower()
    city_public = client.get("/api/dashboard/units/92").json()
    assert city_public["score"] == pytest.approx(public["score"])
