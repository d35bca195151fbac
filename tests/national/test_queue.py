"""`dxplan national queue` and `send` on a healthy receiver: what the packets carry.

The figures are those of tests/dashboard_values.py: in October 2025 GOV-03 is 85 of
100 dossiers online (85 %) in the city (92); SOC-02 is 1,600 of 2,000 households with
fibre (80 %) in the city, 900 of 1,000 in Phường Cái Khế (31120).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.store import values as value_store
from tests.national.conftest import SECRET_ACCOUNTS, SECRET_RESIDENTS, Feed

STATUS_KEYS = {"message_id", "kind", "period", "state", "attempts", "last_error"}


def _send(feed: Feed) -> None:
    result = feed.run("national", "send")
    assert result.exit_code == 0, result.output


def test_packets_carry_the_exported_figures_of_the_period(feed: Feed) -> None:
    assert feed.run("national", "queue", "--period", "2025-10").exit_code == 0
    _send(feed)
    catalog, *data = feed.receiver.requests
    # the contract: headers, envelope, catalogue first
    for request in feed.receiver.requests:
        assert request.headers["Authorization"] == "Bearer national-test-token"
        assert request.headers["Idempotency-Key"] == request.body["message_id"]
        assert set(request.body) == {"message_id", "kind", "sender", "sent_at", "period", "items"}
        assert request.body["sender"] == "92"
        assert datetime.fromisoformat(request.body["sent_at"]).utcoffset() is not None
        assert request.body["period"] == {"type": "month", "value": "2025-10"}
    assert catalog.body["kind"] == "kpi_catalog"
    first = catalog.body["items"][0]
    assert set(first) == {"indicator", "name_vi", "name_en", "unit_of_measure", "periodicity"}
    by_code = {item["indicator"]: item for item in catalog.body["items"]}
    assert by_code["GOV-03"]["unit_of_measure"] == "%"
    assert by_code["GOV-03"]["periodicity"] == "month"
    assert {r.body["kind"] for r in data} == {"kpi_data"}
    items = [item for r in data for item in r.body["items"]]
    found = {(i["indicator"], i["unit"]): i for i in items}
    assert found["GOV-03", "92"] == {
        "indicator": "GOV-03",
        "unit": "92",
        "value": 85,
        "numerator": 85,
        "denominator": 100,
    }
    assert found["SOC-02", "92"]["value"] == 80
    assert found["SOC-02", "31120"]["numerator"] == 900
    # every non-confidential row of `dxplan indicators export` for the period, no other
    export = feed.run("indicators", "export")
    rows = list(csv.DictReader(io.StringIO(export.stdout)))
    expected = {
        (r["indicator"], r["unit_code"])
        for r in rows
        if r["period"] == "2025-10" and r["indicator"] != "SOC-08"
    }
    assert set(found) == expected
    assert len(items) == len(expected)
    assert any(r["indicator"] == "SOC-08" and r["period"] == "2025-10" for r in rows)


def test_confidential_values_never_leave(feed: Feed) -> None:
    for period in ("2025-10", "2025-09"):
        assert feed.run("national", "queue", "--period", period).exit_code == 0
    _send(feed)
    sent = b"".join(r.raw for r in feed.receiver.requests)
    assert b"SOC-08" not in sent  # neither its figures nor its catalogue entry
    assert str(SECRET_ACCOUNTS).encode() not in sent
    assert str(SECRET_RESIDENTS).encode() not in sent


def test_a_second_queue_adds_only_what_changed(feed: Feed) -> None:
    assert feed.run("national", "queue", "--period", "2025-10").exit_code == 0
    first = feed.status()
    again = feed.run("national", "queue", "--period", "2025-10")
    assert "0 packet(s) queued" in again.stdout
    assert feed.status() == first
    # one figure of GOV-03 changes: one new data packet, the catalogue and others stay
    with feed.workspace.engine.begin() as conn:
        value_store.record(
            conn,
            [MeasureValue("dossiers_online", "92", Period.parse("2025-10"), 90, "test")],
            actor="test",
        )
    assert feed.run("national", "queue", "--period", "2025-10").exit_code == 0
    now = feed.status()
    assert now[: len(first)] == first
    assert len(now) == len(first) + 1
    assert now[-1]["kind"] == "kpi_data"
    _send(feed)
    last = feed.receiver.requests[-1].body
    assert [i["value"] for i in last["items"] if i["unit"] == "92"] == [90]
    # the catalogue is queued once, whatever the period
    assert feed.run("national", "queue", "--period", "2025-09").exit_code == 0
    assert sum(p["kind"] == "kpi_catalog" for p in feed.status()) == 1


def test_packets_are_split_by_size(feed: Feed, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXPLAN_NATIONAL_PACKET_SIZE", "1")
    assert feed.run("national", "queue", "--period", "2025-10").exit_code == 0
    _send(feed)
    data = [r.body for r in feed.receiver.requests if r.body["kind"] == "kpi_data"]
    assert data and all(len(body["items"]) == 1 for body in data)
    ids = [r.body["message_id"] for r in feed.receiver.requests]
    assert len(set(ids)) == len(ids)


def test_status_lists_packets_with_the_contract_keys(feed: Feed) -> None:
    assert feed.run("national", "queue", "--period", "2025-10").exit_code == 0
    queued = feed.status()
    assert queued and all(set(p) == STATUS_KEYS for p in queued)
    assert {p["state"] for p in queued} == {"queued"}
    assert {p["attempts"] for p in queued} == {0}
    _send(feed)
    sent = feed.status()
    assert [p["message_id"] for p in sent] == [p["message_id"] for p in queued]
    assert {(p["state"], p["attempts"], p["last_error"]) for p in sent} == {("sent", 1, None)}
    assert feed.receiver.kept.total() == len(sent)


def test_the_mapping_file_renames_fields(
    feed: Feed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dxplan.national.mapping import DEFAULT_MAPPING

    text = DEFAULT_MAPPING.read_text(encoding="utf-8")
    text = text.replace("  unit: unit\n", "  unit: ma_don_vi\n").replace(
        "path: /packets", "path: /packets"
    )
    text = text.replace("  formula: null", "  formula: cong_thuc").replace(
        "  kpi_data: kpi_data\n", "  kpi_data: KPI_DATA\n", 1
    )
    text = text.replace("indicator_codes: {}", "indicator_codes: {GOV-03: CT-DVC-03}")
    text = text.replace("unit_codes: {}", "unit_codes: {'92-SXD': G01.92.SXD}")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DXPLAN_NATIONAL_MAPPING_FILE", str(mapping))
    assert feed.run("national", "queue", "--period", "2025-10").exit_code == 0
    _send(feed)
    catalog, data = feed.receiver.requests[0].body, feed.receiver.requests[1].body
    assert "cong_thuc" in catalog["items"][0]
    assert data["kind"] == "KPI_DATA"
    assert set(data["items"][0]) == {"indicator", "ma_don_vi", "value", "numerator", "denominator"}
    items = [i for r in feed.receiver.requests[1:] for i in r.body["items"]]
    assert {i["indicator"] for i in catalog["items"]} >= {"CT-DVC-03", "GOV-01"}
    assert "GOV-03" not in {i["indicator"] for i in items}
    assert {i["ma_don_vi"] for i in items if i["indicator"] == "GOV-01"} >= {"G01.92.SXD", "92"}


def test_a_bad_mapping_file_names_its_line_and_queues_nothing(
    feed: Feed,
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("path: /packets\npacket:\n  message_id: 'has space'\n", encoding="utf-8")
    monkeypatch.setenv("DXPLAN_NATIONAL_MAPPING_FILE", str(mapping))
    result = feed.run("national", "queue", "--period", "2025-10")
    assert result.exit_code == 2
    assert f"{mapping}:3:" in result.stderr
    assert feed.status() == []


def test_bad_periods_and_missing_settings_are_clear(
    feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = feed.run("national", "queue", "--period", "2025Q5")
    assert result.exit_code == 2 and "is not a period" in result.stderr
    empty = feed.run("national", "queue", "--period", "2031")
    assert empty.exit_code == 0 and "no non-confidential figures for 2031" in empty.stderr
    monkeypatch.setenv("DXPLAN_NATIONAL_URL", "ftp://127.0.0.1/")
    result = feed.run("national", "send")
    assert result.exit_code == 2 and "DXPLAN_NATIONAL_URL: 'ftp://127.0.0.1/'" in result.stderr
    monkeypatch.setenv("DXPLAN_NATIONAL_URL", feed.receiver.url)
    monkeypatch.delenv("DXPLAN_NATIONAL_TOKEN")
    result = feed.run("national", "send")
    assert result.exit_code == 2 and "DXPLAN_NATIONAL_TOKEN" in result.stderr
    assert feed.receiver.requests == []
    assert json.loads(feed.run("national", "status", "--format", "json").stdout)[0]["state"] == (
        "queued"
    )
