"""POST /api/dossiers and /api/procedures: tokens, scopes, validation, per-row errors."""

import json

import pytest

from dxplan.store import tokens as token_store
from dxplan.store.tokens import Scope

GOOD = {
    "dossier_id": "API-1",
    "procedure_code": "1.000001",
    "unit_code": "31135",
    "channel": "online",
    "received_at": "2025-07-01T08:15:00+07:00",
    "status": "finished",
    "finished_at": "2025-07-02T09:00:00+07:00",
    "due_at": "2025-07-05T17:00:00+07:00",
    "fee_required": True,
    "paid_online": True,
    "input_digitized": "có",
    "result_digitized": 1,
}


def _token(workspace, *scopes, name="one-stop"):
    with workspace.engine.begin() as conn:
        secret, _ = token_store.create(conn, name, list(scopes), actor="test")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def writer(workspace):
    return _token(workspace, Scope.DOSSIERS_WRITE)


def test_missing_wrong_and_revoked_tokens_are_401(client, workspace, writer):
    assert client.post("/api/dossiers", json=[GOOD]).status_code == 401
    wrong = {"Authorization": "Bearer dxp_not-a-real-token"}
    response = client.post("/api/dossiers", json=[GOOD], headers=wrong)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    with workspace.engine.begin() as conn:
        token_store.revoke(conn, "one-stop", actor="test")
    assert client.post("/api/dossiers", json=[GOOD], headers=writer).status_code == 401


def test_a_token_without_the_scope_is_403(client, workspace):
    catalog_only = _token(workspace, Scope.PROCEDURES_WRITE, name="catalog")
    response = client.post("/api/dossiers", json=[GOOD], headers=catalog_only)
    assert response.status_code == 403
    assert "dossiers:write" in response.json()["detail"]


def test_good_and_bad_rows(client, writer):
    bad = {**GOOD, "dossier_id": "API-2", "unit_code": "99999", "channel": "fax"}
    response = client.post("/api/dossiers", json=[GOOD, bad], headers=writer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["rows"], body["valid"], body["rejected"], body["stored"]) == (2, 1, 1, 1)
    problems = {(e["row"], e["column"], e["code"]) for e in body["errors"]}
    assert problems == {(2, "unit_code", "unknown-unit"), (2, "channel", "not-a-choice")}
    lines = {x["indicator"]: x for x in client.get("/api/overview").json()["indicators"]}
    assert lines["GOV-03"]["value"] == 100  # one dossier, received online
    again = client.post("/api/dossiers", json=[GOOD], headers=writer).json()
    assert again["stored"] == 0  # idempotent


def test_json_lines_body(client, writer):
    body = "\n".join(json.dumps({**GOOD, "dossier_id": f"L{i}"}) for i in range(3)) + "\n"
    response = client.post(
        "/api/dossiers", content=body, headers={**writer, "Content-Type": "application/x-ndjson"}
    )
    assert response.status_code == 200 and response.json()["stored"] == 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (json.dumps(GOOD), "must be a JSON array"),
        ("[{", "not JSON"),
        ("", "not JSON"),
    ],
)
def test_a_body_that_is_not_an_array_is_400(client, writer, body, message):
    response = client.post(
        "/api/dossiers", content=body, headers={**writer, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_more_than_50000_rows_is_413(client, writer):
    rows = [{"dossier_id": str(i)} for i in range(50_001)]
    response = client.post("/api/dossiers", json=rows, headers=writer)
    assert response.status_code == 413


def test_the_catalog_endpoint(client, workspace):
    headers = _token(workspace, Scope.PROCEDURES_WRITE, name="catalog")
    procedure = {
        "procedure_code": "1.000001",
        "name": "Cấp giấy phép xây dựng",
        "agency_code": "92-SXD",
        "level": "city",
        "online_level": "full",
        "on_national_portal": True,
        "has_fee": True,
        "online_payment": True,
    }
    response = client.post("/api/procedures", json=[procedure], headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["stored"] == 1


def test_tokens_cli(cli):
    assert cli("init").exit_code == 0
    created = cli("tokens", "create", "--name", "one-stop", "--scope", "dossiers:write")
    assert created.exit_code == 0
    secret = created.stdout.strip()
    assert secret.startswith("dxp_") and len(secret) > 40
    listed = cli("tokens", "list").stdout
    assert "one-stop" in listed and secret not in listed and "dossiers:write" in listed
    twice = cli("tokens", "create", "--name", "one-stop", "--scope", "dossiers:write")
    assert twice.exit_code == 2 and "already named" in twice.stderr
    assert cli("tokens", "create", "--name", "x", "--scope", "everything").exit_code == 2
    assert cli("tokens", "revoke", "one-stop").exit_code == 0
    assert "revoked" in cli("tokens", "list").stdout
    assert cli("tokens", "revoke", "one-stop").exit_code == 2


def test_an_empty_array_is_400(client, writer):
    response = client.post("/api/dossiers", json=[], headers=writer)
    assert response.status_code == 400 and "no rows" in response.json()["detail"]


def test_tokens_need_an_initialised_store(cli):
    for args in (("tokens", "list"), ("tokens", "revoke", "x")):
        result = cli(*args)
        assert result.exit_code == 1 and "run `dxplan init` first" in result.stderr


def test_the_openapi_description_documents_the_body_and_the_errors(client):
    operation = client.get("/openapi.json").json()["paths"]["/api/dossiers"]["post"]
    body = operation["requestBody"]["content"]
    assert body["application/json"]["schema"]["type"] == "array"
    assert "application/x-ndjson" in body
    assert {"200", "400", "401", "403", "413", "503"} <= set(operation["responses"])
