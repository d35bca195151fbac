"""Every bad input of issue 13 against a real receiver: refused clearly, nothing stored.

Each case posts over HTTP to uvicorn on 127.0.0.1 and checks the status, the paths of
the problems listed, and that the store holds no more values than before.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from dxplan.domain.period import Period
from dxplan.store import audit
from dxplan.store import receipts as receipt_store
from dxplan.store import tokens as token_store
from dxplan.store import values as value_store
from dxplan.store.tokens import Scope
from tests.receiver.conftest import GOV_03, National, packet

GOOD = GOV_03


def _problems(response: httpx.Response) -> list[str]:
    return [e["path"] for e in response.json()["errors"]]


def test_a_packet_lands_as_values_with_a_receipt(national: National) -> None:
    ward = {"indicator": "GOV-03", "unit": "31135", "value": 40, "numerator": 2, "denominator": 5}
    count = {"indicator": "GOV-20", "unit": "92", "value": 12, "numerator": 12, "denominator": None}
    response = national.post("92", packet(items=[GOOD, ward]))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "accepted"
    assert response.json()["values_written"] == 4  # 85/100 of the city, 2/5 of the ward
    response = national.post("92", packet("m-2", items=[count]))
    assert response.status_code == 201, response.text
    with national.workspace.engine.connect() as conn:
        stored = {
            (v.measure, v.unit): v.value for v in value_store.latest(conn) if v.source == "received"
        }
        trail = audit.entries(conn, entity="packet")
    assert stored == {
        ("online_dossiers", "92"): 85,
        ("all_dossiers", "92"): 100,
        ("online_dossiers", "31135"): 2,
        ("all_dossiers", "31135"): 5,
        ("open_datasets", "92"): 12,
    }
    assert [(e.actor, e.entity_key) for e in trail] == [
        ("sender:92", "92/m-2"),
        ("sender:92", "92/m-1"),
    ]
    receipt = httpx.get(f"{national.url}/packets/m-1", headers=national.headers("92"))
    assert receipt.status_code == 200
    assert receipt.json()["status"] == "accepted" and receipt.json()["problems"] == []
    # another sender cannot read it
    other = httpx.get(f"{national.url}/packets/m-1", headers=national.headers("1"))
    assert other.status_code == 404


def test_the_countrys_figures_are_the_sums_of_the_provinces(national: National) -> None:
    """Can Tho sends 85/100 (and a ward's 2/5, already in its total), Ha Noi 30/50: the
    country holds 115/150, kept current when Ha Noi sends 40/50 instead."""
    ward = {"indicator": "GOV-03", "unit": "31135", "value": 40, "numerator": 2, "denominator": 5}
    ha_noi = dict(GOOD, unit="1", value=60, numerator=30, denominator=50)
    assert national.post("92", packet("ct", items=[GOOD, ward])).status_code == 201
    assert national.post("1", packet("hn", sender="1", items=[ha_noi])).status_code == 201

    def country() -> dict[str, float]:
        with national.workspace.engine.connect() as conn:
            found = value_store.latest(conn, units=["VN"])
        assert {v.source for v in found} == {"received-rollup"}
        assert {str(v.period) for v in found} == {"2025-10"}
        return {v.measure: v.value for v in found}

    assert country() == {"online_dossiers": 115, "all_dossiers": 150}
    again = dict(ha_noi, value=80, numerator=40)
    assert national.post("1", packet("hn-2", sender="1", items=[again])).status_code == 201
    assert country() == {"online_dossiers": 125, "all_dossiers": 150}


def test_a_later_packet_makes_a_new_version(national: National) -> None:
    assert national.post("92", packet("first")).status_code == 201
    later = dict(GOOD, value=90, numerator=90)
    assert national.post("92", packet("second", items=[later])).status_code == 201
    with national.workspace.engine.connect() as conn:
        versions = value_store.history(conn, "online_dossiers", "92", Period.parse("2025-10"))
    assert [(v.version, v.value) for v in versions] == [(1, 85), (2, 90)]


def test_a_catalogue_registers_and_updates_the_senders_indicators(national: National) -> None:
    items = [
        {"indicator": "GOV-03", "name_vi": "Tỷ lệ hồ sơ trực tuyến", "unit_of_measure": "%"},
        {"indicator": "SOC-99", "name_vi": "Chỉ tiêu riêng của tỉnh"},
    ]
    first = national.post("92", packet("cat-1", kind="kpi_catalog", items=items))
    assert first.status_code == 201, first.text
    assert first.json()["notes"] == ["not in the plan national-test: SOC-99"]
    items[0] = {**items[0], "name_vi": "Tỷ lệ hồ sơ tiếp nhận trực tuyến"}
    assert national.post("92", packet("cat-2", kind="kpi_catalog", items=items)).status_code == 201
    with national.workspace.engine.connect() as conn:
        declared = receipt_store.declared(conn, "92")
    assert declared["GOV-03"]["name_vi"] == "Tỷ lệ hồ sơ tiếp nhận trực tuyến"
    assert sorted(declared) == ["GOV-03", "SOC-99"]
    assert national.value_rows() == 0


def test_a_nul_character_is_a_problem_not_a_500(national: National) -> None:
    """PostgreSQL's text holds no NUL: a catalogue code with one, a rejected packet's
    period with one, and a receipt asked for with one were 500s there."""
    items = [{"indicator": "GOV-03\u0000", "name_vi": "Tỷ lệ\u0000"}]
    response = national.post("92", packet("cat-nul", kind="kpi_catalog", items=items))
    assert response.status_code == 422, response.text
    assert _problems(response) == ["items[0].indicator", "items[0].name_vi"]
    bad_period = national.post("92", packet("p-nul", period=("month", "2025-1\u00000")))
    assert bad_period.status_code == 422, bad_period.text
    assert _problems(bad_period) == ["period.value"]
    receipt = httpx.get(f"{national.url}/packets/%00", headers=national.headers("92"))
    assert receipt.status_code == 404, receipt.text
    with national.workspace.engine.connect() as conn:
        assert not receipt_store.declared(conn, "92")
    assert national.value_rows() == 0


@pytest.mark.parametrize(
    ("item", "paths"),
    [
        ({**GOOD, "unit": "31135"}, []),  # a ward of Can Tho: fine (checked below)
        ({**GOOD, "indicator": "GOV-99"}, ["items[0].indicator"]),
        ({**GOOD, "indicator": "GOV-21"}, ["items[0].indicator"]),  # not received
        ({**GOOD, "unit": "1"}, ["items[0].unit"]),  # Hà Nội, not Can Tho's
        ({**GOOD, "unit": "00004"}, ["items[0].unit"]),  # a ward of Hà Nội
        ({**GOOD, "unit": "NOPE"}, ["items[0].unit"]),
        ({**GOOD, "value": "85"}, ["items[0].value"]),
        ({**GOOD, "numerator": True}, ["items[0].numerator"]),
        ({**GOOD, "numerator": 120, "value": 120}, ["items[0].numerator"]),
        ({**GOOD, "value": 50}, ["items[0].value"]),  # not 85/100
        ({**GOOD, "denominator": None}, ["items[0].denominator"]),
        ({**GOOD, "numerator": -1, "value": -1}, ["items[0].numerator"]),
    ],
)
def test_each_bad_item_is_refused_with_its_path(
    national: National, item: dict[str, Any], paths: list[str]
) -> None:
    response = national.post("92", packet(items=[item]))
    if not paths:
        assert response.status_code == 201, response.text
        return
    assert response.status_code == 422, response.text
    assert _problems(response) == paths
    assert national.value_rows() == 0


def test_every_problem_is_listed_and_nothing_is_stored(national: National) -> None:
    items = [
        GOOD,  # fine alone, but the packet is all or nothing
        {**GOOD, "unit": "1"},
        {**GOOD, "unit": "31135", "numerator": 7, "denominator": 5, "value": 140},
        {**GOOD, "indicator": "NOPE-01"},
        {**GOOD, "unit": "31120", "value": "many"},
        "not an item",
        {**GOOD},  # the same indicator and unit as the first
    ]
    body = packet(items=items, period=("month", "2025-12"))  # after 8 November 2025
    response = national.post("92", body)
    assert response.status_code == 422, response.text
    assert _problems(response) == [
        "period.value",
        "items[1].unit",
        "items[2].numerator",
        "items[3].indicator",
        "items[4].value",
        "items[5]",
        "items[6]",
    ]
    assert "7 problems" in response.json()["detail"]
    assert national.value_rows() == 0
    receipt = httpx.get(f"{national.url}/packets/m-1", headers=national.headers("92"))
    assert receipt.json()["status"] == "rejected"
    assert len(receipt.json()["problems"]) == 7


def test_a_malformed_packet_lists_every_problem(national: National) -> None:
    body = {"message_id": "m-1", "kind": "kpi_report", "sent_at": "yesterday", "items": {}}
    response = httpx.post(
        f"{national.url}/packets", json=body, headers=national.headers("92", "m-1")
    )
    assert response.status_code == 422
    assert _problems(response) == ["kind", "sender", "sent_at", "items", "period"]
    not_json = httpx.post(
        f"{national.url}/packets",
        content=b"{not json",
        headers={**national.headers("92", "m-1"), "Content-Type": "application/json"},
    )
    assert not_json.status_code == 422
    no_key = httpx.post(f"{national.url}/packets", json=packet(), headers=national.headers("92"))
    assert no_key.status_code == 422
    assert _problems(no_key) == ["Idempotency-Key"]
    assert national.value_rows() == 0


def test_tokens_and_senders(national: National) -> None:
    url = f"{national.url}/packets"
    assert httpx.post(url, json=packet()).status_code == 401
    bad = {"Authorization": "Bearer dxp_nope", "Idempotency-Key": "m-1"}
    assert httpx.post(url, json=packet(), headers=bad).status_code == 401
    with national.workspace.writing() as conn:
        feed, _ = token_store.create(conn, "one-stop", [Scope.DOSSIERS_WRITE], "test")
    scoped = {"Authorization": f"Bearer {feed}", "Idempotency-Key": "m-1"}
    assert httpx.post(url, json=packet(), headers=scoped).status_code == 403
    # Can Tho's token sending as Hà Nội
    other = national.post("92", packet(sender="1", items=[{**GOOD, "unit": "1"}]))
    assert other.status_code == 403
    assert "sends as 92, not as 1" in other.json()["detail"]
    assert national.value_rows() == 0
    assert national.receipt_rows() == 0


def test_a_replay_with_changed_content_is_refused(national: National) -> None:
    first = national.post("92", packet())
    assert first.status_code == 201
    same = national.post("92", {**packet(), "sent_at": "2025-11-08T10:00:00+07:00"})
    assert same.status_code == 409
    assert same.json()["receipt"] == first.json()
    assert "nothing changed" in same.json()["detail"]
    changed = national.post("92", packet(items=[{**GOOD, "numerator": 90, "value": 90}]))
    assert changed.status_code == 409
    assert "other content" in changed.json()["detail"]
    assert changed.json()["receipt"] == first.json()
    with national.workspace.engine.connect() as conn:
        stored = value_store.history(conn, "online_dossiers", "92", Period.parse("2025-10"))
    assert [v.value for v in stored] == [85]


def test_a_rejected_packet_may_come_again_under_its_id(national: National) -> None:
    assert national.post("92", packet(items=[{**GOOD, "value": "x"}])).status_code == 422
    assert national.post("92", packet()).status_code == 201
    assert national.receipt_rows() == 1


def test_a_50_mb_body_is_refused_before_it_is_read(national: National) -> None:
    where = urlsplit(national.url)
    assert where.hostname is not None and where.port is not None
    head = (
        "POST /packets HTTP/1.1\r\n"
        f"Host: {where.hostname}\r\n"
        f"Authorization: Bearer {national.tokens['92']}\r\n"
        "Idempotency-Key: big\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {50 << 20}\r\n\r\n"
    )
    with socket.create_connection((where.hostname, where.port), timeout=30) as sock:
        sock.sendall(head.encode() + b'{"items": [')  # then nothing: the answer comes first
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert national.receipt_rows() == 0


def test_nothing_is_received_when_receiving_is_off(
    make_national: Callable[..., National],
) -> None:
    national = make_national(receive=False)
    assert national.post("92", packet()).status_code == 404
    assert (
        httpx.get(f"{national.url}/packets/m-1", headers=national.headers("92")).status_code == 404
    )


def test_a_provinces_own_figure_equal_to_its_wards_sum_is_its_own(national: National) -> None:
    """A ward of Can Tho sends 10/100, so Can Tho's figures are its sum, 10/100; then Can
    Tho sends its own 85/100: the 100 equals the sum, yet it is Can Tho's own figure and
    stands. When the ward later sends 20/50, Can Tho stays 85/100 (not 85/50: more
    online dossiers than dossiers) and the country holds Can Tho's 85/100."""
    ward = {"indicator": "GOV-03", "unit": "31135", "value": 10, "numerator": 10}
    first = dict(ward, denominator=100)
    assert national.post("92", packet("w-1", items=[first])).status_code == 201
    assert national.post("92", packet("p-1", items=[GOOD])).status_code == 201
    later = dict(ward, value=40, numerator=20, denominator=50)
    assert national.post("92", packet("w-2", items=[later])).status_code == 201
    with national.workspace.engine.connect() as conn:
        found = value_store.latest(conn, units=["92", "VN"])
    figures = {(v.measure, v.unit): (v.value, v.source) for v in found}
    assert figures == {
        ("online_dossiers", "92"): (85, "received"),
        ("all_dossiers", "92"): (100, "received"),
        ("online_dossiers", "VN"): (85, "received-rollup"),
        ("all_dossiers", "VN"): (100, "received-rollup"),
    }
