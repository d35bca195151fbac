"""The engine: own monthly measures per unit, roll-ups over units and periods.

`full` computes every cell from the operational store; `incremental` recomputes only
the (unit, month) cells that an import's changed dossiers touch (their old and new
versions), keeps the others from the stored base table, and rolls up again (the
roll-up works on a few thousand rows). Both give the same numbers: a property test
checks it on random batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import duckdb
import pyarrow as pa

from dxplan.domain.computed import COMPUTED
from dxplan.domain.measure import SourceKind, TimeAggregation
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period
from dxplan.domain.plan import Plan
from dxplan.engine.calendar import grid, months_table, period_months_table
from dxplan.engine.definitions import (
    CATALOG_MEASURES,
    CATALOG_MEASURES_SQL,
    DOSSIER_MEASURES,
    dossier_measures_sql,
)
from dxplan.engine.engines import DOSSIER_SCHEMA, as_measure_table
from dxplan.operational.clock import use_time_zone

ENGINE_MEASURES = (*DOSSIER_MEASURES, *CATALOG_MEASURES)
_NO_VALUES = pa.table(
    {
        "measure": pa.array([], pa.string()),
        "unit_code": pa.array([], pa.string()),
        "period": pa.array([], pa.string()),
        "value": pa.array([], pa.float64()),
    }
)


@dataclass(frozen=True)
class Result:
    """Rolled-up values (measure, unit_code, period, value) and the base they came from."""

    values: pa.Table
    base: pa.Table
    months: tuple[int, ...]
    cells: int  # (unit, month) cells computed from dossiers
    # the values that differ from the previous base's (None: any value may have changed)
    changed: pa.Table | None = None

    @property
    def to_record(self) -> pa.Table:
        """What the value store needs to be told: the changed values, or all of them."""
        return self.values if self.changed is None else self.changed


class Engine:
    """Computes the engine's measures with one DuckDB connection (tables registered on it)."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, plan: Plan, organisation: Organisation
    ) -> None:
        self.con = con
        self.plan = plan
        self.organisation = organisation
        # the plan's measures the engine fills: any subset of the registered ones, or none
        wanted = {
            m.code for m in plan.measures if m.source in (SourceKind.DOSSIERS, SourceKind.CATALOG)
        }
        self.measures = [m for m in ENGINE_MEASURES if m in wanted]
        use_time_zone(con, plan.timezone)
        # a retired unit's dossiers count in its successor: merged units compare honestly
        closure = [
            (above, code)
            for code in (*(u.code for u in organisation), *organisation.successors)
            for above in (([code] if code in organisation else []) + organisation.rolls_into(code))
        ]
        con.register(
            "closure",
            pa.table(
                {
                    "ancestor": [a for a, _ in closure],
                    "descendant": [d for _, d in closure],
                }
            ),
        )
        last = [m for m in self.measures if COMPUTED[m].time_aggregation is TimeAggregation.LAST]
        con.register(
            "aggregation",
            pa.table({"measure": self.measures, "is_last": [m in last for m in self.measures]}),
        )

    # -- the month grid ---------------------------------------------------------------
    def month_grid(self, today: Period) -> tuple[int, ...]:
        """Whole years from the first to the last month with a dossier (or this year)."""
        row = self.con.execute(
            "SELECT min(received_month), max(greatest(received_month, "
            "coalesce(finished_month, received_month))) FROM dossiers "
            "WHERE status <> 'withdrawn'"
        ).fetchone()
        if row is None or row[0] is None:
            key = today.year * 100 + today.index
            return tuple(grid(key, key, self.plan.fiscal_year_start))
        return tuple(grid(int(row[0]), int(row[1]), self.plan.fiscal_year_start))

    def changes_fit(self, months: Sequence[int]) -> bool:
        """Whether every month of the changed dossiers (`changed_new`) is on the grid."""
        row = self.con.execute(
            "SELECT min(received_month), max(greatest(received_month, "
            "coalesce(finished_month, received_month))) FROM changed_new "
            "WHERE status <> 'withdrawn'"
        ).fetchone()
        if row is None or row[0] is None:
            return True
        return bool(months) and months[0] <= int(row[0]) and int(row[1]) <= months[-1]

    def grid_of(self, base: pa.Table) -> tuple[int, ...] | None:
        """The grid `month_grid` gives when `base` holds every dossier (None: none live).

        A month has a live dossier received in it exactly when its `dossiers_received`
        is above 0 somewhere, and one finished in it when its `dossiers_finished` is:
        the same first and last months as the query over every dossier, from a few
        thousand rows.
        """
        self.con.register("grid_base", base)
        row = self.con.execute(
            "SELECT min(CASE WHEN dossiers_received > 0 THEN month END), "
            "max(CASE WHEN dossiers_received > 0 OR dossiers_finished > 0 THEN month END) "
            "FROM grid_base"
        ).fetchone()
        self.con.unregister("grid_base")
        if row is None or row[0] is None:
            return None
        return tuple(grid(int(row[0]), int(row[1]), self.plan.fiscal_year_start))

    def _calendar(self, months: Sequence[int]) -> None:
        self.con.register("months", months_table(months, self.plan.calendar))
        self.con.register("period_months", period_months_table(months, self.plan.calendar))

    # -- computing ----------------------------------------------------------------------
    def full(self, months: Sequence[int], base: pa.Table | None = None) -> Result:
        """Every cell from the operational store (or from `base`, computed by another engine)."""
        self._calendar(months)
        if base is None:
            base = self._live_measures()
        return self._finish(base, months)

    def _live_measures(self) -> pa.Table:
        """Own monthly measures of every stored dossier.

        With a delta (`operational/partitions.py`), the measures of the month files plus
        the delta's, minus those of the month rows the delta replaces: sums over
        dossiers, like `incremental`. Read through the `dossiers` view instead, the
        anti-join would be paid by each of the measure query's five passes (4× the time
        at 10 M). Cells where every measure is 0 are dropped, as a plain read has none.
        """
        con = self.con
        if not _has_rows(con, "dossier_delta"):
            return con.execute(dossier_measures_sql(incremental=False)).to_arrow_table()
        con.execute(
            "CREATE OR REPLACE TEMP TABLE replaced AS SELECT * FROM dossier_months "
            "WHERE dossier_id IN (SELECT dossier_id FROM dossier_delta)"
        )
        parts = [
            con.execute(dossier_measures_sql(incremental=False, source=source)).to_arrow_table()
            for source in ("dossier_months", "dossier_delta", "replaced")
        ]
        con.execute("DROP TABLE replaced")
        return self._moved(parts[0], added=parts[1], removed=parts[2], drop_zeros=True)

    def _moved(
        self, base: pa.Table, *, added: pa.Table, removed: pa.Table, drop_zeros: bool = False
    ) -> pa.Table:
        """`base` plus the measures `added` minus the measures `removed`, cell by cell."""
        con = self.con
        con.register("moved_base", as_measure_table(base, DOSSIER_SCHEMA))
        con.register("added", added)
        con.register("removed", removed)
        sums = ", ".join(f"SUM({m}) AS {m}" for m in DOSSIER_MEASURES)
        negated = ", ".join(f"-{m} AS {m}" for m in DOSSIER_MEASURES)
        nonzero = " OR ".join(f"SUM({m}) <> 0" for m in DOSSIER_MEASURES)
        moved = con.execute(
            f"""SELECT unit_code, month, {sums} FROM (
                    SELECT * FROM moved_base
                    UNION ALL SELECT * FROM added
                    UNION ALL SELECT unit_code, month, {negated} FROM removed)
                GROUP BY unit_code, month
                {f"HAVING {nonzero}" if drop_zeros else ""}"""
        ).to_arrow_table()
        for name in ("moved_base", "added", "removed"):
            con.unregister(name)
        return moved

    def incremental(self, months: Sequence[int], stored_base: pa.Table) -> Result:
        """The stored base, less what the replaced versions counted, plus the new ones.

        Every dossier measure is a sum over dossiers (overdue-open too, month by month),
        so the base moves by the measures of `changed_new` minus those of `changed_old`:
        the work follows the size of the import, not of the store.
        """
        self._calendar(months)
        con = self.con
        before = self._finish(stored_base, months, cells=0).values
        new = con.execute(
            dossier_measures_sql(incremental=False, source="changed_new")
        ).to_arrow_table()
        old = con.execute(
            dossier_measures_sql(incremental=False, source="changed_old")
        ).to_arrow_table()
        base = self._moved(stored_base, added=new, removed=old)
        touched = len(
            {
                (u, m)
                for t in (new, old)
                for u, m in zip(
                    t.column("unit_code").to_pylist(), t.column("month").to_pylist(), strict=True
                )
            }
        )
        after = self._finish(base, months, cells=touched)
        con.register("values_before", before)
        con.register("values_after", after.values)
        changed = con.execute(
            """SELECT a.* FROM values_after a
               LEFT JOIN values_before b USING (measure, unit_code, period)
               WHERE a.value IS DISTINCT FROM b.value
               ORDER BY 1, 2, 3"""
        ).to_arrow_table()
        for name in ("values_before", "values_after"):
            con.unregister(name)
        return replace(after, changed=changed)

    def rollup(self, base: pa.Table, months: Sequence[int]) -> Result:
        """Roll up a stored base again (the catalog changed, the dossiers did not)."""
        self._calendar(months)
        return self._finish(base, months, cells=0)

    def _finish(self, base: pa.Table, months: Sequence[int], cells: int | None = None) -> Result:
        con = self.con
        # one type on every engine and in every stored base: int64 counts
        base = as_measure_table(base, DOSSIER_SCHEMA)
        con.register("base", base)
        catalog = con.execute(CATALOG_MEASURES_SQL).to_arrow_table()
        con.register("catalog_base", catalog)
        # one UNPIVOT per table with measures of the plan (a plan may have none)
        own = [
            f"""SELECT unit_code, month, measure, value FROM (
                    UNPIVOT (SELECT unit_code, month, {", ".join(columns)} FROM {table})
                    ON {", ".join(columns)} INTO NAME measure VALUE value)"""
            for table, measures in (("base", DOSSIER_MEASURES), ("catalog_base", CATALOG_MEASURES))
            if (columns := [m for m in measures if m in self.measures])
        ]
        if not own:
            return Result(
                _NO_VALUES, base, tuple(months), base.num_rows if cells is None else cells
            )
        values = con.execute(
            f"""
            WITH own AS ({" UNION ALL ".join(own)}),
            by_unit AS (
                SELECT c.ancestor AS unit_code, o.month, o.measure, SUM(o.value) AS value
                FROM own o JOIN closure c ON c.descendant = o.unit_code
                GROUP BY c.ancestor, o.month, o.measure
            )
            SELECT u.measure, u.unit_code, p.period,
                CAST(CASE WHEN a.is_last THEN SUM(CASE WHEN p.is_last THEN u.value END)
                     ELSE SUM(u.value) END AS DOUBLE) AS value
            FROM by_unit u
            JOIN period_months p ON p.month = u.month
            JOIN aggregation a ON a.measure = u.measure
            GROUP BY u.measure, u.unit_code, p.period, a.is_last
            HAVING value IS NOT NULL
            ORDER BY 1, 2, 3
            """
        ).to_arrow_table()
        return Result(values, base, tuple(months), base.num_rows if cells is None else cells)


def _has_rows(con: duckdb.DuckDBPyConnection, view: str) -> bool:
    """Whether `view` exists and holds a row (connections made by another engine's
    caller may register `dossiers` alone)."""
    try:
        return con.execute(f"SELECT 1 FROM {view} LIMIT 1").fetchone() is not None
    except duckdb.CatalogException:
        return False
