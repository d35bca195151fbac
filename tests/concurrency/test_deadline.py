"""The reporting deadline: everybody writes at once, over real HTTP, on both stores.

100 reporters (one per commune or ward of `past-results`) each save a draft, correct
it and submit, all at the same moment; then the coordinator approves the 100 reports,
25 at a time. Nothing may fail (no 409, no 500, no 503), no saved value may be lost,
and every report must be counted exactly once in GOV-08's figures.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from dxplan.domain.period import Period
from dxplan.reporting import platform
from dxplan.settings import Settings
from dxplan.store import values as value_store
from dxplan.workspace import Workspace
from tests.concurrency.harness import (
    AS_OF,
    CITY,
    MONTH,
    PERIOD,
    Outcome,
    prepare,
    report_url,
    run_deadline,
    serving,
    values_of,
)

REPORTERS = 100


def _figures(settings: Settings, measures: list[str], units: list[str], period: str) -> dict:
    with Workspace(settings) as workspace, workspace.engine.connect() as conn:
        stored = value_store.latest(
            conn, measures=measures, units=units, periods=[Period.parse(period)]
        )
    return {(v.measure, v.unit): v.value for v in stored}


def test_a_hundred_reporters_and_a_coordinator_at_the_deadline(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    deadline = prepare(make_settings(database_url=database_url), REPORTERS)
    with serving(deadline.settings) as base:
        outcome = run_deadline(base, deadline, approvers=25)

    # every request answered 200: 200 saves, 100 submissions, 100 approvals
    assert outcome.failures[:5] == [] and outcome.errors() == 0
    assert outcome.count("save", 200) == 2 * REPORTERS
    assert outcome.count("submit", 200) == REPORTERS
    assert outcome.count("approve", 200) == REPORTERS

    # no lost update: each unit's figures are the values of its reporter's last save,
    # and the city's roll-up is their sum
    measures = ["past_results_valid", "past_results_digitized"]
    stored = _figures(deadline.settings, measures, [*deadline.units, CITY], PERIOD)
    for unit in deadline.units:
        for measure, number in values_of(unit, 1).items():
            assert stored[(measure, unit)] == number, (measure, unit)
    for measure in measures:
        expected = sum(values_of(unit, 1)[measure] for unit in deadline.units)
        assert stored[(measure, CITY)] == expected

    # every report counted once: 1 expected and 1 on time per unit, in the month its
    # period ends, and a recount from scratch changes nothing
    counts = [platform.EXPECTED, platform.ON_TIME]
    gov08 = _figures(deadline.settings, counts, [*deadline.units, CITY], MONTH)
    assert {gov08[(m, u)] for m in counts for u in deadline.units} == {1.0}
    # nothing else is due by then: the city counts these 100 reports, all on time
    assert gov08[(platform.ON_TIME, CITY)] == REPORTERS
    with Workspace(deadline.settings) as workspace, workspace.engine.begin() as conn:
        plan, organisation = workspace.plan(conn), workspace.organisation(conn)
        assert plan is not None and organisation is not None
        assert platform.refresh(conn, plan, organisation, AS_OF, ["reports"]) == 0


@pytest.mark.postgres
def test_twenty_simultaneous_submissions_on_postgresql(
    make_settings: Callable[..., Settings], postgres_url: str
) -> None:
    deadline = prepare(make_settings(database_url=postgres_url), 20)
    outcome = Outcome()
    with serving(deadline.settings) as base:
        for unit in deadline.units:  # drafts first, one at a time
            response = httpx.put(
                report_url(base, unit),
                json={"values": values_of(unit, 0)},
                headers=deadline.reporters[unit],
            )
            assert response.status_code == 200, response.text

        def submit(unit: str) -> None:
            url = f"{report_url(base, unit)}/submit"
            outcome.note("submit", httpx.post(url, headers=deadline.reporters[unit], timeout=60))

        with ThreadPoolExecutor(20) as pool:
            list(pool.map(submit, deadline.units))

    assert outcome.count("submit", 500) == 0
    assert outcome.count("submit", 200) == 20, outcome.failures[:3]
    # each submission counted once in the city's reports on time
    counts = _figures(deadline.settings, [platform.ON_TIME], [CITY], MONTH)
    assert counts[(platform.ON_TIME, CITY)] == 20
