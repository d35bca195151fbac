"""Two writers of the same figure at once: the second waits and writes the next version.

Writer A records a figure and keeps its transaction open a moment; writer B, started
meanwhile, records another number for the same figure. Before writing transactions
took their locks up front, B failed: on SQLite it had read before A committed and
could not upgrade to writing (SQLITE_BUSY: 503), on PostgreSQL it derived the same
version 1 from its own read (UniqueViolation: 500).
"""

from __future__ import annotations

import contextlib
import threading
import time

from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.store import values as value_store
from dxplan.workspace import Workspace

KEY = ("past_results_valid", "31135", "2025Q3")


def _record(workspace: Workspace, number: float, wrote: threading.Event | None) -> None:
    with workspace.writing() as conn:
        value_store.latest(conn, measures=[KEY[0]])  # a read first, as requests do
        value_store.sync(
            conn,
            [(*KEY, number)],
            measures=[KEY[0]],
            source="reported",
            actor="test",
            withdraw_missing=False,
        )
        if wrote is not None:
            wrote.set()
            time.sleep(0.3)  # hold the transaction open while B starts


def test_a_second_writer_of_the_same_figure_waits_and_writes_version_two(
    workspace: Workspace,
) -> None:
    wrote = threading.Event()
    errors: list[BaseException] = []

    def run(number: float, signal: threading.Event | None) -> None:
        try:
            _record(workspace, number, signal)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    first = threading.Thread(target=run, args=(400.0, wrote))
    first.start()
    assert wrote.wait(30)
    second = threading.Thread(target=run, args=(410.0, None))
    second.start()
    first.join(60)
    second.join(60)

    assert errors == []
    with workspace.engine.connect() as conn:
        history = value_store.history(conn, KEY[0], KEY[1], Period.parse(KEY[2]))
    assert [(v.version, v.value) for v in history] == [(1, 400.0), (2, 410.0)]


def _two_figures(workspace: Workspace, first: str, second: str, met: threading.Barrier) -> None:
    """Record `first`, wait (a moment at most) for the other writer, then `second`."""
    with workspace.writing() as conn:
        for index, measure in enumerate((first, second)):
            value_store.record(
                conn,
                [MeasureValue(measure, "31135", Period.parse("2025Q3"), 7.0, "reported")],
                actor="test",
            )
            if index == 0:
                # past the timeout the other writer is waiting for us: go on
                with contextlib.suppress(threading.BrokenBarrierError):
                    met.wait(timeout=3)


def test_writers_of_two_figures_in_opposite_orders_never_deadlock(workspace: Workspace) -> None:
    """A writes figure X then Y, B writes Y then X, at the same moment. With a lock per
    figure taken as each is written, each held what the other waited for: PostgreSQL
    killed one of them (DeadlockDetected, seen in CI between a backup's writer and an
    approval). One lock for every versioned figure makes the second writer wait."""
    met = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(first: str, second: str) -> None:
        try:
            _two_figures(workspace, first, second, met)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=("past_results_valid", "past_results_digitized")),
        threading.Thread(target=run, args=("past_results_digitized", "past_results_valid")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with workspace.engine.connect() as conn:
        stored = value_store.latest(conn, units=["31135"], periods=[Period.parse("2025Q3")])
    assert sorted((v.measure, v.value) for v in stored) == [
        ("past_results_digitized", 7.0),
        ("past_results_valid", 7.0),
    ]
