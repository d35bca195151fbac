"""A board rebuilt after a store change from the previous board equals a full build.

The figures are those of `tests/dashboard_values.py` (as of 2025-11-08, the year 2025),
then changed as a coordinator's approvals would: a new version, a withdrawal, a figure
of a unit that had none. Each changed figure is checked by hand, then every evaluation
and alert of the rebuilt board is compared field by field with a board built from
nothing (`build_board`), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import date

import pytest

from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.evaluate.dashboard import Board, build_board, store_state
from dxplan.evaluate.evaluation import Evaluation
from dxplan.evaluate.snapshot import Snapshot
from dxplan.settings import Settings
from dxplan.store import values as value_store
from dxplan.workspace import Workspace
from tests.dashboard_values import AS_OF, record_dashboard_values

OCTOBER = Period.parse("2025-10")


def _record(workspace: Workspace, *values: MeasureValue) -> None:
    with workspace.writing() as conn:
        assert value_store.record(conn, list(values), actor="test") == len(values)


def _figure(measure: str, unit: str, value: float | None, month: str = "2025-10") -> MeasureValue:
    return MeasureValue(measure, unit, Period.parse(month), value, "reported")


def _full(workspace: Workspace, board: Board) -> Board:
    """The same board built from nothing."""
    with workspace.engine.connect() as conn:
        organisation = workspace.organisation(conn)
        assert organisation is not None
        return build_board(conn, board.plan, organisation, board.period, board.as_of)


def _assert_same(rebuilt: Board, full: Board) -> None:
    """Every evaluation and alert equal, field by field (the message names the field)."""
    assert rebuilt.state == full.state
    pairs = [(e.indicator.code, e.unit) for e in rebuilt.evaluations]
    assert pairs == [(e.indicator.code, e.unit) for e in full.evaluations]
    for mine, theirs in zip(rebuilt.evaluations, full.evaluations, strict=True):
        for field in fields(Evaluation):
            assert getattr(mine, field.name) == getattr(theirs, field.name), (
                mine.indicator.code,
                mine.unit,
                field.name,
            )
    assert rebuilt.jumps == full.jumps
    assert rebuilt.alerts() == full.alerts()


def _another_ward(workspace: Workspace) -> str:
    """A ward of the city without figures in the test data."""
    organisation = workspace.organisation()
    assert organisation is not None
    kind = organisation["31120"].kind
    return next(
        u.code
        for u in organisation
        if u.kind == kind
        and u.parent == organisation.root.code
        and u.code not in {"31120", "31135"}
    )


@pytest.fixture
def loaded(make_settings: Callable[..., Settings], database_url: str) -> Iterator[Workspace]:
    with Workspace(make_settings(database_url=database_url, as_of=AS_OF)) as workspace:
        workspace.initialise(actor="test")
        record_dashboard_values(workspace)
        yield workspace


def _state(workspace: Workspace) -> int:
    with workspace.engine.connect() as conn:
        return store_state(conn)


def test_a_rebuilt_board_equals_a_full_build(loaded: Workspace) -> None:
    before = loaded.board()
    assert before is not None
    ward = _another_ward(loaded)
    _record(
        loaded,
        _figure("households_with_fibre", "31135", 1000),  # Ninh Kiều: 700 → 1,000
        _figure("households", "31120", None),  # Cái Khế's October withdrawn
        _figure("households", ward, 500),  # a ward that had no figure
        _figure("households_with_fibre", ward, 250),
        MeasureValue("dossiers_online", "92", OCTOBER, 95, "test"),  # the city: 85 → 95
    )
    after = loaded.board()
    assert after is not None and after.state > before.state

    # taken from the previous board as they were: the rebuild was incremental
    assert after.get("GOV-01", "92-SXD") is before.get("GOV-01", "92-SXD")
    assert after.get("SOC-02", "92") is before.get("SOC-02", "92")  # the city's own figures
    # made again, with the new figures (by hand)
    ninh_kieu = after.get("SOC-02", "31135")
    assert ninh_kieu is not None and ninh_kieu.value == pytest.approx(100.0)  # 1,000 / 1,000
    cai_khe = after.get("SOC-02", "31120")
    assert cai_khe is not None and cai_khe.latest == (Period.parse("2025-09"), 90.0)
    new = after.get("SOC-02", ward)
    assert before.get("SOC-02", ward) is None
    assert new is not None and new.value == pytest.approx(50.0)  # 250 / 500
    online = after.get("GOV-03", "92")
    assert online is not None and online.value == pytest.approx(86.0)  # (9 × 85 + 95) / 1,000
    jump = next(a for a in after.jumps if a.unit == "31135")
    assert (jump.detail["before"], jump.detail["after"]) == (400.0, 1000.0)
    assert jump.detail["change"] == pytest.approx(1.5)

    full = _full(loaded, after)
    assert full.get("SOC-02", "31135") != before.get("SOC-02", "31135")  # it did change
    _assert_same(after, full)


def test_a_board_that_missed_several_changes_is_rebuilt_from_the_last_it_saw(
    loaded: Workspace,
) -> None:
    """The quarter's board is asked for once before and once after three changes, while
    the year's board follows each change: the quarter's rebuild adds up all three."""
    quarter = Period.parse("2025Q3")
    first = loaded.board(quarter, date(2025, 10, 1))
    assert first is not None
    changes = [
        _figure("households_with_fibre", "31120", 950, "2025-08"),
        _figure("households_with_fibre", "31120", 800, "2025-09"),  # Aug 950 → Sep 800
        MeasureValue("procedures_online", "92-STP", Period.parse("2025-09"), 30, "test"),
    ]
    for change in changes:
        _record(loaded, change)
        year = loaded.board()
        assert year is not None
        _assert_same(year, _full(loaded, year))
    again = loaded.board(quarter, date(2025, 10, 1))
    assert again is not None and again.state > first.state
    stp = again.get("GOV-01", "92-STP")
    assert stp is not None and stp.value == pytest.approx(75.0)  # 30 of 40 in September
    cai_khe = again.get("SOC-02", "31120")
    assert cai_khe is not None and cai_khe.value == pytest.approx(80.0)  # 800 / 1,000
    assert again.get("GOV-03", "92") is first.get("GOV-03", "92")
    _assert_same(again, _full(loaded, again))


def test_a_snapshot_names_the_cells_changed_since_any_state_it_went_through(
    loaded: Workspace,
) -> None:
    plan = loaded.plan()
    assert plan is not None
    measures = {"households", "households_with_fibre"}
    with loaded.engine.connect() as conn:
        start = Snapshot.read(conn, measures, plan.calendar, _state(loaded))
    _record(loaded, _figure("households", "31120", 1100))
    middle = _state(loaded)
    _record(loaded, _figure("households_with_fibre", "31135", None))  # withdrawn
    end = _state(loaded)
    with loaded.engine.connect() as conn:
        advanced = start.advance(conn, plan.calendar, middle).advance(conn, plan.calendar, end)
        read = Snapshot.read(conn, measures, plan.calendar, end)
    assert advanced.changed_since(start.state) == {
        ("households", "31120"),
        ("households_with_fibre", "31135"),
    }
    assert advanced.changed_since(middle) == {("households_with_fibre", "31135")}
    assert advanced.changed_since(end) == frozenset()
    assert read.changed_since(start.state) is None  # read whole: it does not know
    assert sorted(map(repr, advanced.values())) == sorted(map(repr, read.values()))
    assert OCTOBER not in advanced.cells[("households_with_fibre", "31135")]
    assert advanced.cells[("households", "31120")][OCTOBER].value == 1100
    # the snapshot it came from is untouched
    assert start.cells[("households_with_fibre", "31135")][OCTOBER].value == 700
    assert start.cells[("households", "31120")][OCTOBER].value == 1000
