"""Can Tho's dxplan sends its packets with `dxplan national send` to a national dxplan.

The sender is the shipped Can Tho plan with the dashboard's figures (SQLite); the
receiver runs under uvicorn on 127.0.0.1 on each database. Every item of every packet
the sender queued lands as values of the province's units, once: a second delivery of
the same message ids (a sender that crashed before recording the receipts) is answered
409 and adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from dxplan.domain.period import Period
from dxplan.settings import Settings
from dxplan.store import receipts as receipt_store
from dxplan.store import values as value_store
from dxplan.store.tables import national_outbox
from dxplan.workspace import Workspace
from tests.dashboard_values import record_dashboard_values
from tests.receiver.conftest import DEFAULT_PLAN, National, national_plan_from


@pytest.fixture
def can_tho(tmp_path: Path) -> Iterator[Workspace]:
    settings = Settings(data_dir=tmp_path / "can-tho")
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        record_dashboard_values(workspace)
        yield workspace


def _send_env(monkeypatch: pytest.MonkeyPatch, can_tho: Workspace, national: National) -> None:
    env = {
        "DXPLAN_DATA_DIR": str(can_tho.settings.data_dir),
        "DXPLAN_DATABASE_URL": can_tho.settings.database,
        "DXPLAN_NATIONAL_URL": national.url,
        "DXPLAN_NATIONAL_TOKEN": national.tokens["92"],
        "DXPLAN_SENDER_CODE": "92",
        "DXPLAN_NATIONAL_BACKOFF_SECONDS": "0.01",
        "DXPLAN_NATIONAL_ATTEMPTS": "2",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(proxy, raising=False)


def _outbox(workspace: Workspace) -> list[Any]:
    with workspace.engine.connect() as conn:
        return list(conn.execute(select(national_outbox).order_by(national_outbox.c.id)))


def test_the_real_sender_lands_every_value_once(
    can_tho: Workspace,
    make_national: Callable[..., National],
    cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    national = make_national(plan_file=national_plan_from(DEFAULT_PLAN, tmp_path / "n.yaml"))
    _send_env(monkeypatch, can_tho, national)
    queued = cli("national", "queue", "--period", "2025-10")
    assert queued.exit_code == 0, queued.output
    sent = cli("national", "send")
    assert sent.exit_code == 0, sent.output
    packets = _outbox(can_tho)
    assert {p.state for p in packets} == {"sent"}
    data = [p for p in packets if p.kind == "kpi_data"]
    assert data, "the dashboard's figures make data packets"

    # every item is now the newest value of its measures, for its unit and the period
    expected: dict[tuple[str, str], float] = {}
    for p in data:
        for item in p.items:
            stem = item["indicator"].lower().replace("-", "_")
            expected[(f"{stem}_num", item["unit"])] = item["numerator"]
            if item["denominator"] is not None:
                expected[(f"{stem}_den", item["unit"])] = item["denominator"]
    workspace = national.workspace
    calendar = workspace.calendar()
    with workspace.engine.connect() as conn:
        stored = value_store.latest(conn, periods=[Period.parse("2025-10")], calendar=calendar)
        receipts = receipt_store.listing(conn, "92")
        declared = receipt_store.declared(conn, "92")
    sent_values = [v for v in stored if v.source == "received"]
    assert {(v.measure, v.unit): v.value for v in sent_values} == expected
    assert {v.recorded_by for v in sent_values} == {"sender:92"}
    # the country's figures are its one sending province's: Can Tho's own total (its
    # wards' figures, already in that total, are not added again)
    country = {v.measure: v.value for v in stored if v.unit == "VN"}
    assert {v.source for v in stored if v.unit == "VN"} == {"received-rollup"}
    assert country == {m: value for (m, unit), value in expected.items() if unit == "92"}
    assert {v.unit for v in stored} - {v.unit for v in sent_values} == {"VN"}
    assert len(receipts) == len(packets)
    assert {r.status for r in receipts} == {"accepted"}
    catalog = next(p for p in packets if p.kind == "kpi_catalog")
    assert sorted(declared) == sorted(item["indicator"] for item in catalog.items)
    rows = national.value_rows()

    # the sender crashed before recording the receipts: the same ids go again, 409 each
    with can_tho.writing() as conn:
        conn.execute(update(national_outbox).values(state="queued"))
    again = cli("national", "send")
    assert again.exit_code == 0, again.output
    answers = [p.answer for p in _outbox(can_tho)]
    assert all(a.startswith("HTTP 409") for a in answers), answers
    assert national.value_rows() == rows
    assert national.receipt_rows() == len(packets)


def test_the_real_sender_waits_when_the_receiver_asks(
    can_tho: Workspace,
    make_national: Callable[..., National],
    cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    plan = national_plan_from(DEFAULT_PLAN, tmp_path / "n.yaml")
    # a packet every 2 s past the burst: a loaded machine's packet takes less than that
    national = make_national(plan_file=plan, receive_burst=2, receive_rate_per_minute=30)
    _send_env(monkeypatch, can_tho, national)
    monkeypatch.setenv("DXPLAN_NATIONAL_ATTEMPTS", "4")
    assert cli("national", "queue", "--period", "2025-10").exit_code == 0
    sent = cli("national", "send")
    assert sent.exit_code == 0, sent.output
    packets = _outbox(can_tho)
    assert {p.state for p in packets} == {"sent"}
    # past the burst of 2, each packet met a 429 first and went again after Retry-After
    assert [p.attempts for p in packets][:2] == [1, 1]
    assert all(p.attempts >= 2 for p in packets[2:])
    assert "HTTP 429" in sent.output
    with national.workspace.engine.connect() as conn:
        assert len(receipt_store.listing(conn, "92")) == len(packets)
