"""The national demo: the provinces' packets drawn, then sent through a real receiver."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from dxplan.cli.national_demo import load_national
from dxplan.demo.national import MALFORMED, DemoPacket, national_packets, send
from dxplan.domain.organisation import Organisation
from dxplan.domain.plan import Plan
from dxplan.evaluate.ranking import standings
from dxplan.plans import load_plan, shipped_plan
from dxplan.settings import Settings
from dxplan.store import tokens as token_store
from dxplan.store import values as value_store
from dxplan.store.receipts import ACCEPTED
from dxplan.store.tables import measure_values, packet_receipts
from dxplan.store.tokens import Scope
from dxplan.units import organisation_of
from dxplan.web import create_app
from dxplan.web.local import serve_locally as serve
from dxplan.workspace import Workspace

AS_OF = date(2025, 11, 8)


@pytest.fixture(scope="module")
def national() -> tuple[Plan, Organisation]:
    path = shipped_plan("national")  # the shipped national-2025.yaml
    plan = load_plan(path)
    return plan, organisation_of(plan, path)


def test_the_packets_tell_the_demo_story(national: tuple[Plan, Organisation]) -> None:
    plan, organisation = national
    assert plan.index is not None
    packets = national_packets(plan, organisation, AS_OF)
    assert packets == national_packets(plan, organisation, AS_OF)  # the same every run
    provinces = {p.sender for p in packets}
    assert len(provinces) == 34
    # 2024Q1 to 2025Q3: the quarters that ended before 8 November 2025
    quarters = sorted({str(p.period) for p in packets})
    assert quarters == ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    assert len(packets) < 34 * 7  # two provinces never send 2025Q3, and some come too late
    due = {p.message_id: p.period.last_day + timedelta(days=plan.index.due_days) for p in packets}
    late = [p for p in packets if p.arrives.date() > due[p.message_id]]
    assert 0 < len(late) < len(packets) / 4
    assert all(p.arrives.date() < AS_OF for p in packets)
    assert sum(1 for p in packets if p.broken is not None) == MALFORMED
    assert any(p.repeated for p in packets)
    for p in packets:
        assert len(p.items) == len(plan.indicators) == 12
        assert all(0 < i["numerator"] <= i["denominator"] for i in p.items)


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[Workspace, str]]:
    settings = Settings(
        data_dir=tmp_path / "data",
        plan_file=shipped_plan("national"),
        as_of=AS_OF,
        receive=True,
    )
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        with serve(settings) as url:
            yield workspace, url


def test_sent_through_the_real_receiver_once(
    receiver: tuple[Workspace, str], national: tuple[Plan, Organisation]
) -> None:
    workspace, url = receiver
    plan, organisation = national
    chosen = ("92", "1", "79")  # Can Tho, Ha Noi, Ho Chi Minh City
    packets: list[DemoPacket] = [
        p for p in national_packets(plan, organisation, AS_OF) if p.sender in chosen
    ]
    # the first packet is malformed the first time, the second is sent twice
    first, second = packets[0], packets[1]
    broken = [dict(first.items[0], numerator="n/a"), *first.items[1:]]
    packets[0] = dataclasses.replace(first, broken=broken, repeated=False)
    packets[1] = dataclasses.replace(second, broken=None, repeated=True)
    tokens = {}
    with workspace.writing() as conn:
        for code in chosen:
            tokens[code], _ = token_store.create(
                conn, f"t-{code}", [Scope.PACKETS_WRITE], "test", sender=code
            )
    sent = send(url, tokens, packets)
    assert sent.other == []
    assert sent.received == len(packets)
    assert sent.refused == 1 + sum(1 for p in packets[1:] if p.broken is not None)
    assert sent.repeated == sum(1 for p in packets if p.repeated)
    with workspace.engine.connect() as conn:
        values = conn.execute(
            select(func.count())
            .select_from(measure_values)
            .where(measure_values.c.source == "received")
        ).scalar()
        current = value_store.latest(conn)
        receipts = conn.execute(
            select(func.count())
            .select_from(packet_receipts)
            .where(packet_receipts.c.status == ACCEPTED)
        ).scalar()
    # each item is a numerator and a denominator, stored once whatever was sent twice
    assert values == 2 * sum(len(p.items) for p in packets)
    assert receipts == len(packets)
    # the country's figure of each measure and period: the three provinces' sum
    sums: dict[tuple[str, str], float] = {}
    for v in current:
        if v.source == "received" and v.value is not None:
            key = (v.measure, str(v.period))
            sums[key] = sums.get(key, 0.0) + v.value
    country = {(v.measure, str(v.period)): v.value for v in current if v.unit == "VN"}
    assert country == pytest.approx(sums)
    board = workspace.board()
    assert board is not None
    result = standings(board, workspace.board(board.period.previous(), AS_OF))
    assert result is not None
    ranked = [s.unit for s in result.standings if any(v is not None for v in s.raw.values())]
    assert sorted(ranked) == sorted(chosen)


def test_the_whole_demo_ranks_the_provinces_and_tells_who_was_late(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", plan_file=shipped_plan("national"), as_of=AS_OF, receive=True
    )
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        load_national(workspace)
        printed = capsys.readouterr().out
        assert "235 packets received, 7 repeats recognised, 6 malformed ones refused" in printed
        listed = [line for line in printed.splitlines() if re.match(r"^ +\d+\. ", line)]
        assert len(listed) == 10  # the top 10
        load_national(workspace)  # a second run sends nothing again
        assert "already received" in capsys.readouterr().out
    with TestClient(create_app(settings)) as client:
        ranking = client.get("/api/dashboard/index").json()["rows"]
        assert len(ranking) == 34 and ranking[0]["rank"] == 1
        assert sum(1 for r in ranking if r["movement"]["places"] is not None) == 34
        counts = client.get("/api/dashboard/timeliness").json()["counts"]
        # 2025's quarters: Q1–Q3 sent on time, late or not at all; Q4 not due on 8 November
        assert counts["not_due"] == 34
        assert counts["late"] > 0 and counts["missing"] >= 2 and counts["on_time"] > 60
        assert sum(counts.values()) == 34 * 4
