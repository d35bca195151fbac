"""The API's refusals are declared in its OpenAPI description, with the body they carry.

Schemathesis (tests/fuzz/test_openapi.py) found these answers undeclared: a bad bearer
token on the dashboard's JSON twins and the other readers' routes (401), an unknown
pillar, indicator or unit (404), late reports asked for by a viewer (403) and an
unreadable period on /api/reports (422 with a message, where FastAPI's default
declaration promised a list of validation errors). Each case here sends one such
request and checks its status code is declared for the operation and its body matches
the declared schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Final

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.web import create_app
from dxplan.workspace import Workspace

UNKNOWN: Final = {"Authorization": "Bearer dxp_no-such-token"}
CASES: Final = [
    # (method, path template, url, who, expected status)
    ("get", "/api/dashboard/overview", "/api/dashboard/overview", UNKNOWN, 401),
    ("get", "/api/dashboard/rankings", "/api/dashboard/rankings", UNKNOWN, 401),
    ("get", "/api/dashboard/alerts", "/api/dashboard/alerts", UNKNOWN, 401),
    ("get", "/api/overview", "/api/overview", UNKNOWN, 401),
    ("get", "/api/dashboard/pillars/{code}", "/api/dashboard/pillars/NOPE", {}, 404),
    ("get", "/api/dashboard/indicators/{code}", "/api/dashboard/indicators/NOPE", {}, 404),
    ("get", "/api/dashboard/units/{code}", "/api/dashboard/units/NOPE", {}, 404),
    ("get", "/indicators/{code}.csv", "/indicators/NOPE.csv", {}, 404),
    ("get", "/indicators/{code}.csv", "/indicators/GOV-01.csv", UNKNOWN, 401),
    ("get", "/api/reports/late", "/api/reports/late", {}, 401),
    ("get", "/api/reports/late", "/api/reports/late", "viewer", 403),
    ("get", "/api/focal-points", "/api/focal-points", {}, 401),
    ("get", "/api/focal-points/{unit}", "/api/focal-points/NOPE", "viewer", 404),
    ("get", "/api/reports", "/api/reports", {}, 401),
    ("get", "/api/reports", "/api/reports?period=null", "viewer", 422),
    ("get", "/api/tasks", "/api/tasks", {}, 401),
    ("get", "/api/tasks", "/api/tasks?year=twenty", "viewer", 422),
    ("get", "/api/tasks", "/api/tasks?unit=NOPE", "viewer", 404),
    ("get", "/api/tasks/{code}", "/api/tasks/NOPE", "viewer", 404),
    # refused before the body is read: none is sent
    ("post", "/api/tasks/{code}/progress", "/api/tasks/T-GOV-01/progress", "viewer", 403),
    ("post", "/api/tasks/{code}/{action}", "/api/tasks/T-GOV-01/approve", "viewer", 403),
    ("post", "/api/tasks/breakthrough", "/api/tasks/breakthrough", "viewer", 403),
    (
        "get",
        "/api/tasks/{code}/evidence/{evidence_id}",
        "/api/tasks/T-GOV-01/evidence/1",
        "viewer",
        404,
    ),
    # not a receiver (DXPLAN_RECEIVE off): tests/receiver tries the others on one
    ("post", "/packets", "/packets", UNKNOWN, 404),
    ("get", "/packets/{message_id}", "/packets/m-1", UNKNOWN, 404),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("refusals") / "data")
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        with workspace.writing() as conn:
            user = user_store.add(
                conn, "viewer", role=Role.VIEWER, password="refusals 2025", units=[], actor="test"
            )
            secret, _ = token_store.create(conn, "viewer", [], "test", user_id=user.id)
    with TestClient(create_app(settings)) as client:
        yield client, secret


def _declared(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    responses: dict[str, Any] = document["paths"][path][method]["responses"]
    return responses


@pytest.mark.parametrize(("method", "path", "url", "who", "status"), CASES)
def test_each_refusal_is_declared_with_its_body(
    world: tuple[TestClient, str],
    method: str,
    path: str,
    url: str,
    who: dict[str, str] | str,
    status: int,
) -> None:
    client, viewer = world
    headers = {"Authorization": f"Bearer {viewer}"} if who == "viewer" else who
    assert isinstance(headers, dict)
    response = client.request(method, url, headers=headers)
    assert response.status_code == status, response.text
    document = client.get("/openapi.json").json()
    declared = _declared(document, method, path)
    assert str(status) in declared, sorted(declared)
    schema = declared[str(status)]["content"]["application/json"]["schema"]
    validate: Callable[[Any], bool] = jsonschema_rs.validator_for(
        {**schema, "components": document["components"]}
    ).is_valid
    assert validate(response.json()), (schema, response.json())
