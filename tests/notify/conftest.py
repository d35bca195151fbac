"""A city where reports are owed, people to tell, a mail server, a webhook, the CLI.

As of 20 April 2024 the wards' 2024Q1 `past-results` report was due on 10 April:
ward 31120 submitted on time, ward 31135 never did (10 days late), ward 31147's was
returned by the coordinator. Ward 31135's focal point, ward 31147's reporter (in
English) and the coordinator have e-mail addresses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from dxplan.cli import app as cli_app
from dxplan.domain.account import Role, User
from dxplan.reporting.service import Reporting
from dxplan.store import focal_points as focal_store
from dxplan.store import users as user_store
from dxplan.store.submissions import StoredValues
from dxplan.workspace import Workspace
from tests.notify.servers import Hook, MailServer

DAY: Final = "2024-04-20"
DATASET: Final = "past-results"
ON_TIME, MISSING, RETURNED = "31120", "31135", "31147"
FOCAL: Final = "dau-moi@phuong31135.cantho.gov.vn"
REPORTER: Final = "bao-cao@phuong31147.cantho.gov.vn"
COORDINATOR: Final = "dieu-phoi@stttt.cantho.gov.vn"
COMMENT: Final = "Số hồ sơ hợp lệ chưa khớp với hệ thống một cửa"
SECRET: Final = b"webhook-secret-of-the-test-0123456789"
_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")


def _at(day: str, hour: int = 9) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), _TZ).replace(hour=hour)


def _submit(workspace: Workspace, unit: str, when: datetime) -> None:
    with workspace.engine.begin() as conn:
        plan, organisation = workspace.plan(conn), workspace.organisation(conn)
        assert plan is not None and organisation is not None
        service = Reporting(conn, plan, organisation, now=when)
        user = User(1, "phuong", "Phường", Role.REPORTER, (unit,))
        report = service.open(user, DATASET, unit, "2024Q1")
        values: StoredValues = {
            "past_results_valid": {unit: 10.0},
            "past_results_digitized": {unit: 4.0},
        }
        service.submit(user, service.save(user, report, values))


def _return(workspace: Workspace, unit: str, when: datetime) -> None:
    with workspace.engine.begin() as conn:
        plan, organisation = workspace.plan(conn), workspace.organisation(conn)
        assert plan is not None and organisation is not None
        service = Reporting(conn, plan, organisation, now=when)
        coordinator = User(2, "dieuphoi", "Điều phối", Role.COORDINATOR, ())
        service.return_(coordinator, service.open(coordinator, DATASET, unit, "2024Q1"), COMMENT)


@pytest.fixture
def city(workspace: Workspace) -> Workspace:
    _submit(workspace, ON_TIME, _at("2024-04-10", 23))
    _submit(workspace, RETURNED, _at("2024-04-09"))
    _return(workspace, RETURNED, _at("2024-04-12"))
    with workspace.writing() as conn:
        focal_store.record(
            conn, MISSING, name="Lê Thị Đầu Mối", title=None, phone=None, email=FOCAL, actor="test"
        )
        password = "a-long-password-2024"
        user_store.add(
            conn,
            "bao-cao",
            role=Role.REPORTER,
            password=password,
            units=[RETURNED],
            actor="test",
            display_name="Trần Báo Cáo",
            email=REPORTER,
            language="en",
        )
        user_store.add(
            conn,
            "dieuphoi",
            role=Role.COORDINATOR,
            password=password,
            units=[],
            actor="test",
            display_name="Điều Phối",
            email=COORDINATOR,
        )
        user_store.add(
            conn,
            "lanhdao",
            role=Role.VIEWER,
            password=password,
            units=[],
            actor="test",
            display_name="Lãnh Đạo",
            email="lanh-dao@cantho.gov.vn",
        )
    return workspace


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook(SECRET).start()
    yield server
    server.stop()


@dataclass
class Notify:
    """`dxplan ARGS...` in-process on the city's store, with the servers configured."""

    workspace: Workspace
    env: dict[str, str]

    def __call__(self, *args: str, input: str | None = None) -> Any:
        return CliRunner().invoke(cli_app, list(args), input=input, catch_exceptions=False)

    def run(self, *args: str) -> Any:
        return self("notify", "--as-of", DAY, *args)


@pytest.fixture
def notify(city: Workspace, mail: MailServer, monkeypatch: pytest.MonkeyPatch) -> Notify:
    env = {
        "DXPLAN_DATABASE_URL": city.settings.database,
        "DXPLAN_DATA_DIR": str(city.settings.data_dir),
        "DXPLAN_SMTP_URL": mail.url,
        "DXPLAN_MAIL_FROM": "dxplan@stttt.cantho.gov.vn",
        "DXPLAN_NOTIFY_TIMEOUT_SECONDS": "10",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("DXPLAN_WEBHOOK_URL", "DXPLAN_WEBHOOK_SECRET", "DXPLAN_AS_OF"):
        monkeypatch.delenv(name, raising=False)
    return Notify(city, env)


def webhook_env(hook: Hook, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {"DXPLAN_WEBHOOK_URL": hook.url, "DXPLAN_WEBHOOK_SECRET": SECRET.decode()}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
        monkeypatch.delenv(proxy.lower(), raising=False)
    return env


Run = Callable[..., Any]
