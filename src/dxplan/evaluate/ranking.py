"""The plan's composite index on a dashboard board: who ranks where, and what it would take.

The raw value of a component for a unit is the unit's evaluated value of the indicator
for the board's period as of its day (the same figure its tile shows); the units
ranked are those of the organisation's ranking the index names. The previous period's
board gives the movement of the ranks.
"""

from __future__ import annotations

from dxplan.domain.index import CompositeIndex
from dxplan.evaluate.dashboard import Board
from dxplan.evaluate.index import Improvement, IndexResult, Raw, compute_index, to_top

__all__ = ["improvements", "index_of", "ranked_units", "raw_values", "standings"]


def index_of(board: Board) -> CompositeIndex | None:
    return board.plan.index


def ranked_units(board: Board, index: CompositeIndex) -> list[str]:
    """The codes of the units the index ranks, in the organisation's order."""
    return [u.code for u in board.organisation.ranking(index.ranking)]


def raw_values(board: Board, index: CompositeIndex) -> dict[str, dict[str, float | None]]:
    """Each component's value for each ranked unit (None: nothing known)."""
    units = ranked_units(board, index)
    found: dict[str, dict[str, float | None]] = {}
    for _, component in index.components():
        values: dict[str, float | None] = {}
        for unit in units:
            evaluation = board.get(component.indicator, unit)
            values[unit] = evaluation.value if evaluation is not None else None
        found[component.indicator] = values
    return found


def standings(board: Board, previous: Board | None = None) -> IndexResult | None:
    """The ranked units of the board's period, with their movement since `previous`.

    None when the plan has no index. A unit ranked in `previous` carries its rank there.
    """
    index = board.plan.index
    if index is None:
        return None
    units = ranked_units(board, index)
    indicators = {c.indicator: board.plan.indicator(c.indicator) for _, c in index.components()}
    before: dict[str, int] = {}
    if previous is not None and previous.plan.index is not None:
        earlier = compute_index(
            index, indicators, raw_values(previous, index), ranked_units(previous, index)
        )
        before = {s.unit: s.rank for s in earlier.standings if _has_any(s.raw)}
    return compute_index(index, indicators, raw_values(board, index), units, before)


def _has_any(raw: dict[str, float | None]) -> bool:
    """A unit that had no value at all was not ranked: no movement from nowhere."""
    return any(v is not None for v in raw.values())


def improvements(board: Board, unit: str) -> list[Improvement] | None:
    """What `unit` needs, component by component, to reach the index's top."""
    index = board.plan.index
    if index is None:
        return None
    indicators = {c.indicator: board.plan.indicator(c.indicator) for _, c in index.components()}
    raw: Raw = raw_values(board, index)
    return to_top(index, indicators, raw, ranked_units(board, index), unit)
