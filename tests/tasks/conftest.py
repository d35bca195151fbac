"""Accounts of every role over an initialised workspace, and the tasks service."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest

from dxplan.domain.account import Role, User
from dxplan.store import users as user_store
from dxplan.tasks.service import Tasks
from dxplan.workspace import Workspace

AS_OF = date(2025, 11, 8)
PASSWORD = "a-long-test-password"
OWN = "92-SKHCN"  # the reporter's unit: leads T-GOV-01, T-GOV-02, T-GOV-05, T-SOC-01
OTHER = "92-SYT"


@pytest.fixture
def people(workspace: Workspace) -> dict[str, User]:
    """admin, coordinator, reporter (92-SKHCN), other (92-SYT's reporter), viewer."""
    with workspace.writing() as conn:
        add = lambda name, role, units: user_store.add(  # noqa: E731
            conn, name, role=role, password=PASSWORD, units=units, actor="test"
        )
        return {
            "admin": add("admin", Role.ADMIN, []),
            "coordinator": add("dieuphoi", Role.COORDINATOR, []),
            "reporter": add("skhcn", Role.REPORTER, [OWN]),
            "other": add("syt", Role.REPORTER, [OTHER]),
            "viewer": add("lanhdao", Role.VIEWER, []),
        }


@pytest.fixture
def tasks_of(workspace: Workspace) -> Callable[..., object]:
    """`with tasks_of(write=True) as service:` the service at the demo day."""

    @contextmanager
    def open_service(*, write: bool = False) -> Iterator[Tasks]:
        context = workspace.writing() if write else workspace.engine.connect()
        with context as conn:
            yield Tasks.of(workspace, conn)

    return open_service


@pytest.fixture
def settings(make_settings, database_url):  # type: ignore[no-untyped-def]
    """The suite's settings at the demo day, with a small evidence limit (64 KiB)."""
    return make_settings(database_url=database_url, as_of=AS_OF, max_evidence_bytes=64 * 1024)
