"""The dashboard's figures, computed once per change of the store and read by every page.

`build_board` evaluates every indicator for every unit for one period as of a day and
derives what the pages show: scores per pillar and overall, rankings of communes and
wards and of agencies, each unit's contribution to the city's gap, and alerts.
`BoardCache` keeps the last board per (store state, plan, period, day): pages and
their JSON twins read it, so a page costs a lookup, not an evaluation. After a store
change, `board_of` rebuilds from the previous board only the evaluations whose values
changed (`dxplan.evaluate.snapshot` says which): the same board as a full build.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from dxplan.caching import BuildCache
from dxplan.domain.indicator import IndicatorKind
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period
from dxplan.domain.plan import Plan
from dxplan.domain.value import MeasureValue
from dxplan.evaluate.attainment import overall_score, pillar_scores, rank
from dxplan.evaluate.contribution import city_gap, contributions
from dxplan.evaluate.evaluation import Evaluation, evaluate, evaluate_cell
from dxplan.evaluate.reading import readings
from dxplan.evaluate.snapshot import Cell, Snapshot
from dxplan.evaluate.status import Status
from dxplan.store.tables import measure_values

MAX_BOARDS = 16  # boards kept in memory (periods and days asked for since the last change)
BUILDERS = 2  # boards built at once (the machine's cores; more only share them)
WAITING = 16  # requests waiting for boards at most; the web server has 40 worker threads
JUMP = 0.5  # an approved reported value that moves by more than half is an alert


@dataclass(frozen=True)
class Score:
    unit: str
    pillars: dict[str, float | None]
    overall: float | None


@dataclass(frozen=True)
class Contribution:
    unit: str
    points: float  # percentage points of the city's gap
    numerator: float
    denominator: float


@dataclass(frozen=True)
class Alert:
    kind: str  # off_track | at_risk | jump
    indicator: str | None
    unit: str
    period: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Board:
    """Everything the dashboard shows for one period as of one day."""

    plan: Plan
    organisation: Organisation
    period: Period
    as_of: date
    evaluations: list[Evaluation]
    jumps: list[Alert]
    state: int = -1  # the store state it shows (see `store_state`); -1: not known
    _by_key: dict[tuple[str, str], Evaluation] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_key = {(e.indicator.code, e.unit): e for e in self.evaluations}

    @property
    def root(self) -> str:
        return self.organisation.root.code

    def get(self, indicator: str, unit: str) -> Evaluation | None:
        return self._by_key.get((indicator, unit))

    def of_unit(self, unit: str) -> list[Evaluation]:
        return [e for e in self.evaluations if e.unit == unit]

    def of_indicator(self, indicator: str) -> list[Evaluation]:
        return [e for e in self.evaluations if e.indicator.code == indicator]

    def city(self) -> list[Evaluation]:
        return self.of_unit(self.root)

    def statuses(self, unit: str | None = None) -> dict[Status, int]:
        """How many indicators of `unit` (default: the city) have each status."""
        counts: dict[Status, int] = defaultdict(int)
        for e in self.of_unit(unit or self.root):
            counts[e.status] += 1
        return dict(counts)

    # -- scores and rankings -------------------------------------------------------------
    def score(self, unit: str, hidden: frozenset[str] = frozenset()) -> Score:
        """Attainment per pillar and overall, with the plan's weights, over the indicators
        not `hidden` (a public score covers the public indicators only)."""
        mine = [
            e
            for e in self.of_unit(unit)
            if e.attainment is not None and e.indicator.code not in hidden
        ]
        attainments = {e.indicator.code: e.attainment for e in mine}
        pillar_of = {e.indicator.code: e.indicator.pillar for e in mine}
        weights = {i.code: i.weight for i in self.plan.indicators}
        pillars = pillar_scores(attainments, pillar_of, weights)
        overall = overall_score(pillars, {p.code: p.weight for p in self.plan.pillars})
        return Score(unit, pillars, overall)

    def ranking(
        self, group: str, hidden: frozenset[str] = frozenset()
    ) -> list[tuple[str, float, int]]:
        """(unit, overall score, rank) for a ranking the organisation's kinds declare
        (`communes` or `agencies` for a Vietnamese province)."""
        scores: dict[str, float] = {}
        for unit in self.organisation.ranking(group):
            overall = self.score(unit.code, hidden).overall
            if overall is not None:
                scores[unit.code] = overall
        return rank(scores)

    def rank_of(self, unit: str, hidden: frozenset[str] = frozenset()) -> tuple[int, int] | None:
        """(rank, out of how many) of `unit` in its group, or None."""
        for group in self.organisation.rankings:
            if unit in self.organisation and self.organisation[unit].kind in group.kinds:
                ranked = self.ranking(group.code, hidden)
                for code, _, position in ranked:
                    if code == unit:
                        return position, len(ranked)
        return None

    # -- who moves the number ---------------------------------------------------------------
    def contributions(self, indicator: str) -> list[Contribution]:
        """Each unit under the city, by how much it costs the city's gap, largest first.

        Only for a ratio with a target whose city figure is the sum of the units'
        (their denominators add up to the city's); empty otherwise.
        """
        found = self.plan.indicator(indicator)
        city = self.get(indicator, self.root)
        if (
            found.kind is not IndicatorKind.RATIO
            or found.target is None
            or city is None
            or city.denominator is None
        ):
            return []
        parts: dict[str, tuple[float, float]] = {}
        for e in self.of_indicator(indicator):
            if e.unit not in self.organisation or e.numerator is None:
                continue
            if self.organisation[e.unit].parent != self.root:
                continue
            parts[e.unit] = (e.numerator, e.denominator or 0.0)
        total = sum(d for _, d in parts.values())
        if not parts or abs(total - city.denominator) > 1e-6 * max(1.0, city.denominator):
            return []
        points = contributions(found.target.value, parts)
        rows = [Contribution(u, points[u], *parts[u]) for u in parts]
        return sorted(rows, key=lambda c: -c.points)

    def gap(self, indicator: str) -> float | None:
        """The city's gap in percentage points (what the contributions add up to)."""
        found = self.plan.indicator(indicator)
        rows = self.contributions(indicator)
        if found.target is None or not rows:
            return None
        return city_gap(found.target.value, {c.unit: (c.numerator, c.denominator) for c in rows})

    # -- alerts -----------------------------------------------------------------------------
    def alerts(self) -> list[Alert]:
        """Off-track and at-risk targets of the city first, then jumps in reported values."""
        order = {Status.OFF_TRACK: 0, Status.NOT_ACHIEVED: 0, Status.AT_RISK: 1}
        found = [
            Alert(
                e.status.value,
                e.indicator.code,
                e.unit,
                str(e.period),
                {"value": e.value, "gap": e.gap},
            )
            for e in sorted(self.city(), key=lambda e: order.get(e.status, 9))
            if e.status in order
        ]
        return found + self.jumps


def _jumps(values: Iterable[MeasureValue], as_of: date) -> list[Alert]:
    """Approved reported values that moved by more than JUMP from the period before,
    largest change first (then by unit, measure and period: the same order however the
    values came)."""
    series: dict[tuple[str, str, Any], list[MeasureValue]] = defaultdict(list)
    for v in values:
        if v.source == "reported" and v.value is not None and v.period.last_day < as_of:
            series[(v.measure, v.unit, v.period.kind)].append(v)
    found = []
    for (measure, unit, _), points in series.items():
        points.sort(key=lambda v: v.period)
        if len(points) < 2:
            continue
        before, last = points[-2], points[-1]
        if before.value and last.value is not None and before.period == last.period.previous():
            change = (last.value - before.value) / before.value
            if abs(change) > JUMP:
                found.append(
                    Alert(
                        "jump",
                        None,
                        unit,
                        str(last.period),
                        {
                            "measure": measure,
                            "before": before.value,
                            "after": last.value,
                            "change": change,
                        },
                    )
                )
    return sorted(found, key=_jump_order)


def _jump_order(alert: Alert) -> tuple[float, str, str, str]:
    return (-abs(alert.detail["change"]), alert.unit, alert.detail["measure"], alert.period)


def board_measures(plan: Plan) -> frozenset[str]:
    """The measures a board reads: its indicators' (evaluations) and its data sets'
    (jumps in reported values)."""
    measures = {code for i in plan.indicators for code in i.measures}
    return frozenset(measures | {code for d in plan.datasets for code in d.measures})


def build_board(
    conn: Connection, plan: Plan, organisation: Organisation, period: Period, as_of: date
) -> Board:
    """Evaluate the whole plan for `period` as of `as_of` from the value store."""
    snapshot = Snapshot.read(conn, board_measures(plan), plan.calendar, store_state(conn))
    return board_of(snapshot, plan, organisation, period, as_of)


def board_of(
    snapshot: Snapshot,
    plan: Plan,
    organisation: Organisation,
    period: Period,
    as_of: date,
    previous: Board | None = None,
) -> Board:
    """The board of `snapshot`'s values for `period` as of `as_of`.

    With `previous` (a board of an older store state), when it is of the same plan,
    period, day and units and `snapshot` knows what changed since its state, only the
    evaluations of the (indicator, unit) pairs whose measures changed are made again and
    the others are taken from it: every evaluation of a pair depends on that unit's
    values of that indicator's measures alone (roll-ups are values of their own).
    """
    changed = _changed_since(previous, snapshot, plan, organisation, period, as_of)
    if previous is None or changed is None:
        evaluated = {code for i in plan.indicators for code in i.measures}
        values = snapshot.values(evaluated)
        evaluations = evaluate(plan, organisation, values, period=period, as_of=as_of)
        jumps = _jumps(snapshot.values(), as_of)
    else:
        evaluations = _reevaluate(previous, snapshot, changed, organisation)
        again = (v for cell in changed for v in snapshot.cells.get(cell, {}).values())
        kept = [a for a in previous.jumps if (a.detail["measure"], a.unit) not in changed]
        jumps = sorted([*kept, *_jumps(again, as_of)], key=_jump_order)
    return Board(plan, organisation, period, as_of, evaluations, jumps, snapshot.state)


def _changed_since(
    previous: Board | None,
    snapshot: Snapshot,
    plan: Plan,
    organisation: Organisation,
    period: Period,
    as_of: date,
) -> frozenset[Cell] | None:
    """The (measure, unit) cells to evaluate again from `previous`, or None: build whole."""
    if (
        previous is None
        or previous.state < 0
        or previous.period != period
        or previous.as_of != as_of
        or not (previous.plan is plan or previous.plan == plan)
        or previous.organisation.root.code != organisation.root.code
        or [u.code for u in previous.organisation] != [u.code for u in organisation]
    ):
        return None
    return snapshot.changed_since(previous.state)


def _reevaluate(
    previous: Board, snapshot: Snapshot, changed: frozenset[Cell], organisation: Organisation
) -> list[Evaluation]:
    """`previous`'s evaluations with those reading a `changed` cell made again, in the
    order `evaluate` gives (units in the organisation's order, indicators in the plan's)."""
    plan, root = previous.plan, organisation.root.code
    reading: dict[str, list[str]] = defaultdict(list)
    for indicator in plan.indicators:
        for measure in indicator.measures:
            reading[measure].append(indicator.code)
    again = {(code, unit) for measure, unit in changed for code in reading.get(measure, ())}
    found: list[Evaluation] = []
    for unit in (u.code for u in organisation):
        for indicator in plan.indicators:
            if (indicator.code, unit) not in again:
                kept = previous.get(indicator.code, unit)
                if kept is not None:
                    found.append(kept)
                continue
            mine = readings(indicator, snapshot.of(indicator.measures, unit))
            made = evaluate_cell(
                indicator,
                mine,
                plan=plan,
                unit=unit,
                period=previous.period,
                as_of=previous.as_of,
                always=unit == root,
            )
            if made is not None:
                found.append(made)
    return found


def store_state(conn: Connection) -> int:
    """A marker that changes whenever a value is recorded: values are only ever added
    (a correction or a withdrawal is a new version), so the highest id tells."""
    return int(conn.execute(select(func.max(measure_values.c.id))).scalar() or 0)


class BoardCache(BuildCache[tuple[Any, ...], Board]):
    """The boards asked for since the store last changed, by (store state, plan, period, day).

    A hit never waits for a build, a missing board is built once however many ask for
    it, builds of other keys go on meanwhile (see `dxplan.caching`). Callers compute the
    key with a connection they have released: a thread waiting here holds no connection,
    so builders never starve for one.
    """

    def __init__(self) -> None:
        super().__init__(MAX_BOARDS, builders=BUILDERS, waiting=WAITING, obsolete=replaces)


def replaces(new: tuple[Any, ...], old: tuple[Any, ...]) -> bool:
    """Whether `new` is the board of `old` (same plan, period and day) after the store
    changed: readers may be served `old` while `new` is built, and `new` is built from
    `old` (`board_of`). Once `new` is stored, `old` is dropped: it is never asked for
    again. Boards of other periods and days stay (at most `MAX_BOARDS`) until theirs are
    rebuilt: their readers are served them meanwhile, and they are rebuilt from them.
    """
    return bool(old[1:] == new[1:] and old[0] < new[0])
