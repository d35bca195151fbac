"""Every answer of /packets is declared in the OpenAPI description, with its body."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema_rs

from dxplan.store import tokens as token_store
from dxplan.store.tokens import Scope
from tests.receiver.conftest import GOV_03, National, packet


def _check(national: National, method: str, path: str, response: httpx.Response) -> None:
    document = httpx.get(f"{national.url}/openapi.json").json()
    declared: dict[str, Any] = document["paths"][path][method]["responses"]
    status = str(response.status_code)
    assert status in declared, (path, status, sorted(declared))
    schema = declared[status]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
    assert validator.is_valid(response.json()), (schema, response.json())


def test_each_answer_of_post_packets_is_declared(make_national: Any) -> None:
    national: National = make_national(receive_burst=20, receive_rate_per_minute=1)
    url = f"{national.url}/packets"
    with national.workspace.writing() as conn:
        feed, _ = token_store.create(conn, "one-stop", [Scope.DOSSIERS_WRITE], "test")
    answers = [
        national.post("92", packet()),  # 201
        national.post("92", packet()),  # 409
        national.post("92", packet("m-2", items=[{**GOV_03, "unit": "1"}])),  # 422
        national.post("92", packet("m-3", sender="1")),  # 403: another sender
        httpx.post(url, json=packet()),  # 401
        httpx.post(url, json=packet(), headers={"Authorization": f"Bearer {feed}"}),  # 403
    ]
    answers += [national.post("92", packet(f"n-{n}")) for n in range(20)]  # past the burst
    statuses = {r.status_code for r in answers}
    assert statuses == {201, 401, 403, 409, 422, 429}
    for response in answers:
        _check(national, "post", "/packets", response)
    for found in (
        httpx.get(f"{national.url}/packets/m-1", headers=national.headers("92")),
        httpx.get(f"{national.url}/packets/nope", headers=national.headers("92")),
        httpx.get(f"{national.url}/packets/m-1"),
    ):
        assert found.status_code in (200, 401, 404)
        _check(national, "get", "/packets/{message_id}", found)
