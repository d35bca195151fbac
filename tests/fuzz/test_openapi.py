"""Schemathesis over the whole OpenAPI description, once as each role.

Every operation of `/openapi.json` is called with cases generated from its own
description (the explicit examples, the coverage phase's boundary and invalid values,
then Hypothesis fuzzing), as nobody, a viewer, a reporter, a coordinator, an
administrator (each with a personal bearer token) and a source system (a token with
the feed scopes). Each answer must be no server error (5xx), carry a status code the
description declares for that operation, and match the declared content type and
body schema.

Each (operation, role) runs on a fresh copy of a store built once per role, so what a
case finds never depends on which test ran before it in the same pytest-xdist worker;
the examples are derandomised, so a failure found in CI is found again on a laptop.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.store.tokens import Scope
from dxplan.web import create_app
from dxplan.workspace import Workspace
from tests.dashboard_values import AS_OF, record_dashboard_values

EXAMPLES: Final = 12  # per operation and role in the fuzzing phase: CI stays within minutes
CHECKS: Final = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ACCOUNTS: Final = {
    "viewer": (Role.VIEWER, []),
    "reporter": (Role.REPORTER, ["31135", "92-NHNN"]),
    "coordinator": (Role.COORDINATOR, []),
    "admin": (Role.ADMIN, []),
}
ROLES: Final = ("anonymous", *ACCOUNTS, "source")
SOURCE_SCOPES: Final = [Scope.DOSSIERS_WRITE, Scope.PROCEDURES_WRITE]
# cases sent per (role, operation); with DXPLAN_FUZZ_COUNTS=FILE each test appends its
# count to FILE (role, operation, cases; tab-separated), for the figures in docs/security.md
SENT: Counter[tuple[str, str]] = Counter()


def _description() -> dict[str, Any]:
    """The app's OpenAPI description (it does not depend on the store's content)."""
    with tempfile.TemporaryDirectory() as folder:
        return create_app(Settings(data_dir=Path(folder))).openapi()


schema = schemathesis.openapi.from_dict(_description())
# the feeds take JSON Lines too, described as a string: sent as the text it is
schemathesis.serializer.alias("application/x-ndjson", "text/plain")


@dataclass(frozen=True)
class Caller:
    role: str
    app: FastAPI
    headers: dict[str, str]


def _build(folder: Path, role: str) -> dict[str, str]:
    """An initialised store with the dashboard's figures and the role's token; its headers."""
    with Workspace(Settings(data_dir=folder, as_of=AS_OF)) as workspace:
        workspace.initialise(actor="test")
        record_dashboard_values(workspace)
        with workspace.writing() as conn:
            if role in ACCOUNTS:
                kind, units = ACCOUNTS[role]
                user = user_store.add(
                    conn, role, role=kind, password="fuzz password 2025", units=units, actor="test"
                )
                secret, _ = token_store.create(conn, role, [], "test", user_id=user.id)
            elif role == "source":
                secret, _ = token_store.create(conn, "source-system", SOURCE_SCOPES, "test")
            else:
                return {}
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="module")
def stores(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], tuple[Path, dict[str, str]]]:
    """A role's store, built once per worker: (its data folder, the role's headers)."""
    built: dict[str, tuple[Path, dict[str, str]]] = {}

    def store(role: str) -> tuple[Path, dict[str, str]]:
        if role not in built:
            folder = tmp_path_factory.mktemp(f"fuzz-{role}") / "data"
            built[role] = folder, _build(folder, role)
        return built[role]

    return store


@pytest.fixture(params=ROLES)
def caller(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    stores: Callable[[str], tuple[Path, dict[str, str]]],
) -> Iterator[Caller]:
    """The role, its headers and an app over a fresh copy of its store."""
    template, headers = stores(request.param)
    folder = tmp_path / "data"
    shutil.copytree(template, folder)
    app = create_app(Settings(data_dir=folder, as_of=AS_OF))
    yield Caller(request.param, app, headers)
    app.state.workspace.close()
    if counts := os.environ.get("DXPLAN_FUZZ_COUNTS"):
        with Path(counts).open("a", encoding="utf-8") as log:
            for (role, operation), cases in SENT.items():
                log.write(f"{role}\t{operation}\t{cases}\n")
    SENT.clear()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_as_every_role(case: schemathesis.Case, caller: Caller) -> None:
    SENT[(caller.role, case.operation.label)] += 1
    case.call_and_validate(app=caller.app, headers=caller.headers, checks=CHECKS)
