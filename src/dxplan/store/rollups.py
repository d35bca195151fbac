"""Stored roll-ups: the sums of one source's figures kept as figures of another source.

Reported figures (approved reports) and received ones (the provinces' packets) are
stored for the units that gave them; their parents' figures, and for reports the
longer periods, are worked out by `reporting.rollup` and stored under a source of
their own (`reported-rollup`, `received-rollup`), so the board reads one table. This
recomputes them from the current figures of `measures` and makes the stored roll-ups
equal, withdrawing those that no longer have parts.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from dxplan.domain.measure import Measure
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Calendar
from dxplan.reporting.rollup import Key, over_units, roll_up
from dxplan.store import values as value_store


def refresh(
    conn: Connection,
    measures: Sequence[Measure],
    organisation: Organisation,
    calendar: Calendar,
    *,
    source: str,
    rolled_source: str,
    over_time: bool = True,
) -> int:
    """Store the roll-ups of `source`'s current figures of `measures`; the versions written.

    Over units always; over time too unless `over_time` is false (received figures keep
    the periods the provinces sent).
    """
    codes = [m.code for m in measures]
    stored = value_store.latest(conn, measures=codes, calendar=calendar)
    base: dict[Key, float] = {
        (v.measure, v.unit, v.period): v.value
        for v in stored
        if v.source == source and v.value is not None
    }
    if over_time:
        rolled = roll_up(base, measures, organisation)
    else:
        rolled = over_units(base, {m.code: m for m in measures}, organisation)
    return value_store.sync(
        conn,
        [(m, u, str(p), v) for (m, u, p), v in rolled.items()],
        measures=codes,
        source=rolled_source,
        actor="dxplan",
        withdraw_missing=True,
    )
