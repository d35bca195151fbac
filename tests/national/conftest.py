"""A store with the dashboard's figures (and a confidential one), a receiver, the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.store import values as value_store
from dxplan.workspace import Workspace
from tests.dashboard_values import record_dashboard_values
from tests.national.receiver import Receiver

# SOC-08 reads the bank-accounts data set, which is confidential: these must never leave
SECRET_ACCOUNTS = 777_001
SECRET_RESIDENTS = 999_331


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.release.set()
    found.stop()


@dataclass
class Feed:
    """The CLI on the test store, sending to the receiver with small waits."""

    workspace: Workspace
    receiver: Receiver
    run: Callable[..., Any]
    env: dict[str, str]

    def status(self) -> list[dict[str, Any]]:
        result = self.run("national", "status", "--format", "json")
        assert result.exit_code == 0, result.output
        found: list[dict[str, Any]] = json.loads(result.stdout)
        return found


@pytest.fixture
def feed(
    workspace: Workspace,
    receiver: Receiver,
    cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> Feed:
    record_dashboard_values(workspace)
    secret = [
        MeasureValue(measure, "92", Period.parse(f"2025-{month:02d}"), number, "reported")
        for month in range(1, 11)
        for measure, number in (
            ("residents_15plus_with_account", SECRET_ACCOUNTS),
            ("residents_15plus", SECRET_RESIDENTS),
        )
    ]
    with workspace.engine.begin() as conn:
        value_store.record(conn, secret, actor="test")
    env = {
        "DXPLAN_DATABASE_URL": workspace.settings.database,
        "DXPLAN_DATA_DIR": str(workspace.settings.data_dir),
        "DXPLAN_NATIONAL_URL": receiver.url,
        "DXPLAN_NATIONAL_TOKEN": "national-test-token",
        "DXPLAN_SENDER_CODE": "92",
        "DXPLAN_NATIONAL_BACKOFF_SECONDS": "0.01",
        "DXPLAN_NATIONAL_BACKOFF_MAX_SECONDS": "0.05",
        "DXPLAN_NATIONAL_TIMEOUT_SECONDS": "0.5",
        "DXPLAN_NATIONAL_ATTEMPTS": "4",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):  # the receiver is local
        monkeypatch.delenv(proxy, raising=False)
        monkeypatch.delenv(proxy.lower(), raising=False)
    return Feed(workspace, receiver, cli, env)
