"""The transactional store, on SQLite and on PostgreSQL alike."""

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from dxplan import store
from dxplan.domain import LocalizedText, Organisation, Period, Unit
from dxplan.domain.value import MeasureValue
from dxplan.store import audit, migrate
from dxplan.store import plans as plan_store
from dxplan.store import units as unit_store
from dxplan.store import values as value_store


def _org(*extra: Unit) -> Organisation:
    city = Unit(code="92", names=LocalizedText(vi="Thành phố Cần Thơ"), kind="city")
    ward = Unit(code="31120", names=LocalizedText(vi="Phường Cái Khế"), kind="ward", parent="92")
    return Organisation([city, ward, *extra])


def _value(measure: str, unit: str, period: str, value: float) -> MeasureValue:
    return MeasureValue(measure, unit, Period.parse(period), value, source="test")


def test_migrations_run_twice_without_change(engine):
    migrate(engine)
    with engine.connect() as conn:
        head = conn.execute(text("select version_num from alembic_version")).scalar()
    versions = Path(store.__file__).parent / "migrations" / "versions"
    assert head == max(p.name[:4] for p in versions.glob("[0-9]*.py"))


def test_units_sync_adds_changes_and_deactivates(engine):
    with engine.begin() as conn:
        first = unit_store.sync(conn, _org(), "tester")
    assert (first.added, first.changed, first.unchanged) == (2, 0, 0)

    renamed = Unit(
        code="31120", names=LocalizedText(vi="Phường Cái Khế mới"), kind="ward", parent="92"
    )
    city = Unit(code="92", names=LocalizedText(vi="Thành phố Cần Thơ"), kind="city")
    agency = Unit(code="92-SYT", names=LocalizedText(vi="Sở Y tế"), kind="agency", parent="92")
    with engine.begin() as conn:
        second = unit_store.sync(conn, Organisation([city, renamed, agency]), "tester")
    assert (second.added, second.changed, second.unchanged) == (1, 1, 1)

    with engine.begin() as conn:
        third = unit_store.sync(conn, Organisation([city, agency]), "tester")
        assert third.deactivated == 1
        assert [u.code for u in unit_store.active(conn)] == ["92", "92-SYT"]
        trail = audit.entries(conn, entity="unit", key="31120")
    assert [e.action for e in trail] == ["unit.deactivate", "unit.change", "unit.add"]
    assert trail[1].before["names"] == {"vi": "Phường Cái Khế"}
    assert trail[1].after["names"] == {"vi": "Phường Cái Khế mới"}
    assert trail[0].actor == "tester" and trail[0].at.tzinfo is not None


def test_plan_versions_are_numbered_and_never_overwritten(engine):
    with engine.begin() as conn:
        v1 = plan_store.save(conn, "p", "code: p\n", "a")
        same = plan_store.save(conn, "p", "code: p\n", "b")
        v2 = plan_store.save(conn, "p", "code: p  # edited\n", "b")
    assert (v1.version, same.version, v2.version) == (1, 1, 2)
    with engine.connect() as conn:
        assert [v.document for v in plan_store.history(conn, "p")] == [
            "code: p\n",
            "code: p  # edited\n",
        ]
        assert plan_store.latest(conn).version == 2
        assert [e.after["version"] for e in audit.entries(conn, entity="plan")] == [2, 1]


def test_values_are_versioned_and_latest_wins(engine):
    with engine.begin() as conn:
        unit_store.sync(conn, _org(), "t")
        recorded = value_store.record(
            conn,
            [
                _value("dossiers_online", "31120", "2025-07", 812),
                _value("dossiers_received", "31120", "2025-07", 1000),
            ],
            actor="engine",
        )
        assert recorded == 2
        # the same number again changes nothing; a new number is version 2
        assert (
            value_store.record(
                conn, [_value("dossiers_online", "31120", "2025-07", 812)], actor="engine"
            )
            == 0
        )
        assert (
            value_store.record(
                conn, [_value("dossiers_online", "31120", "2025-07", 815)], actor="officer"
            )
            == 1
        )
    with engine.connect() as conn:
        latest = {v.measure: v for v in value_store.latest(conn, units=["31120"])}
        history = value_store.history(conn, "dossiers_online", "31120", Period.parse("2025-07"))
    assert latest["dossiers_online"].value == 815
    assert latest["dossiers_online"].version == 2
    assert latest["dossiers_online"].recorded_by == "officer"
    assert latest["dossiers_received"].value == 1000
    assert [(v.version, v.value) for v in history] == [(1, 812), (2, 815)]


def test_a_failed_batch_records_nothing(engine):
    with engine.begin() as conn:
        unit_store.sync(conn, _org(), "t")
    batch = [
        _value("dossiers_online", "31120", "2025-07", 1),
        _value("dossiers_online", "99999", "2025-07", 2),
    ]  # unknown unit
    with pytest.raises(DBAPIError), engine.begin() as conn:
        value_store.record(conn, batch, actor="engine")
    with engine.connect() as conn:
        assert value_store.latest(conn) == []


def test_the_audit_log_is_append_only(engine):
    with engine.begin() as conn:
        audit.append(conn, actor="a", action="x", entity="e", key="k", after={"n": 1})
    for statement in ("UPDATE audit_log SET actor = 'b'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert [(e.actor, e.after) for e in audit.entries(conn)] == [("a", {"n": 1})]
