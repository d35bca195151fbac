"""Query engines: the measure SQL, written once, run on DuckDB (the default) or Spark.

The definitions in `definitions.py` are written in DuckDB's dialect using only
joins, CASE, COUNT/SUM, COALESCE, UNION and IN-subqueries. Each engine here gets them
transpiled by SQLGlot from "duckdb" to its own dialect (DuckDB runs them as written)
and reads the same inputs:

- `dossiers`: the stored dossiers (`operational.columns.STORED_TYPES`): the month files,
  and the delta if the snapshot has one, read as `operational.partitions.LIVE_DOSSIERS`,
- `procedures`: the latest catalog's Parquet file(s) (`operational.catalog.CATALOG_TYPES`),
- `months`: the month grid (`calendar.months_table`),
- `cells`: for an incremental recompute only, the (unit_code, month) pairs to compute.

Paths are whatever the engine can read: local paths for DuckDB and local Spark, shared
storage (`hdfs://...`, `s3a://...`) for a Spark cluster. Measure tables come back as
Arrow with one schema on every engine (unit_code string, month int32, each measure
int64), sorted by unit and month, so results compare cell by cell.

    with open_engine("spark", dossier_paths, catalog_paths, months_table(grid)) as engine:
        base = engine.dossier_measures()
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Final

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot.errors import ErrorLevel

from dxplan.engine.definitions import (
    CATALOG_MEASURES,
    CATALOG_MEASURES_SQL,
    DOSSIER_MEASURES,
    dossier_measures_sql,
)
from dxplan.operational.catalog import CATALOG_TYPES
from dxplan.operational.columns import STORED_TYPES, empty_select, sql_path
from dxplan.operational.partitions import LIVE_DOSSIERS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SOURCE_DIALECT: Final = "duckdb"  # the dialect definitions.py is written in
DEFAULT_ENGINE: Final = "duckdb"


def transpile(sql: str, dialect: str) -> str:
    """`sql` (DuckDB dialect) in `dialect`; an unsupported construct raises, never degrades."""
    if dialect == SOURCE_DIALECT:
        return sql
    statements = sqlglot.transpile(
        sql, read=SOURCE_DIALECT, write=dialect, unsupported_level=ErrorLevel.RAISE
    )
    if len(statements) != 1:
        raise ValueError(f"expected one SQL statement, got {len(statements)}")
    return statements[0]


def _measure_schema(measures: Sequence[str]) -> pa.Schema:
    return pa.schema(
        [("unit_code", pa.string()), ("month", pa.int32())] + [(m, pa.int64()) for m in measures]
    )


DOSSIER_SCHEMA: Final = _measure_schema(DOSSIER_MEASURES)
CATALOG_SCHEMA: Final = _measure_schema(CATALOG_MEASURES)


def as_measure_table(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The columns of `schema`, cast safely (DuckDB's SUM gives HUGEINT, Spark's BIGINT)."""
    columns = [table.column(field.name).cast(field.type) for field in schema]
    return pa.Table.from_arrays(columns, schema=schema).sort_by(
        [("unit_code", "ascending"), ("month", "ascending")]
    )


class QueryEngine(ABC):
    """Runs the portable measure SQL over Parquet files and a months table."""

    name: ClassVar[str]
    dialect: ClassVar[str]  # SQLGlot's name of the engine's SQL dialect

    def __init__(
        self,
        dossiers: Sequence[str],
        procedures: Sequence[str],
        months: pa.Table,
        *,
        cells: pa.Table | None = None,
        deltas: Sequence[str] = (),
    ) -> None:
        self.dossiers = tuple(str(p) for p in dossiers)
        self.deltas = tuple(str(p) for p in deltas)
        self.procedures = tuple(str(p) for p in procedures)
        self.months = months
        self.cells = cells

    @abstractmethod
    def execute(self, sql: str) -> pa.Table:
        """Run SQL already in this engine's dialect."""

    def close(self) -> None:  # noqa: B027 - an engine without resources needs nothing
        """Release what the engine opened (not what it was given)."""

    def query(self, sql: str) -> pa.Table:
        """Run portable SQL (DuckDB dialect) over the engine's tables."""
        return self.execute(transpile(sql, self.dialect))

    def dossier_measures(self) -> pa.Table:
        """Own monthly dossier measures per (unit_code, month); only `cells` if given."""
        sql = dossier_measures_sql(incremental=self.cells is not None)
        return as_measure_table(self.query(sql), DOSSIER_SCHEMA)

    def catalog_measures(self) -> pa.Table:
        """Catalog measures per (agency, month) for the procedures in force."""
        return as_measure_table(self.query(CATALOG_MEASURES_SQL), CATALOG_SCHEMA)

    def __enter__(self) -> QueryEngine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class DuckDBEngine(QueryEngine):
    """In-process DuckDB: the default; runs the definitions exactly as written."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(
        self,
        dossiers: Sequence[str],
        procedures: Sequence[str],
        months: pa.Table,
        *,
        cells: pa.Table | None = None,
        deltas: Sequence[str] = (),
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        super().__init__(dossiers, procedures, months, cells=cells, deltas=deltas)
        self._owned = connection is None
        self.con = connection if connection is not None else duckdb.connect()
        if self.deltas:  # the month files less the dossiers the delta replaces, plus it
            self._view("dossier_months", self.dossiers, STORED_TYPES)
            self._view("dossier_delta", self.deltas, STORED_TYPES)
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW dossiers AS {LIVE_DOSSIERS}")
        else:
            self._view("dossiers", self.dossiers, STORED_TYPES)
        self._view("procedures", self.procedures, CATALOG_TYPES)
        self.con.register("months", months)
        if cells is not None:
            self.con.register("cells", cells)

    def _view(self, name: str, files: Sequence[str], types: dict[str, str]) -> None:
        if files:
            listing = ", ".join(sql_path(f) for f in files)
            source = f"SELECT * FROM read_parquet([{listing}])"
        else:
            source = empty_select(types)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {source}")

    def execute(self, sql: str) -> pa.Table:
        table: pa.Table = self.con.execute(sql).to_arrow_table()
        return table

    def close(self) -> None:
        if self._owned:
            self.con.close()


class SparkEngine(QueryEngine):
    """Apache Spark: local (`local[2]` by default) or a cluster's session.

    Each engine works in a session of its own (`newSession()`: its own temporary views,
    the shared SparkContext). Without a `session`, a local one is started and `close()`
    stops it with its JVM; a given session is left running.
    """

    name = "spark"
    dialect = "spark"

    def __init__(
        self,
        dossiers: Sequence[str],
        procedures: Sequence[str],
        months: pa.Table,
        *,
        cells: pa.Table | None = None,
        deltas: Sequence[str] = (),
        session: SparkSession | None = None,
    ) -> None:
        super().__init__(dossiers, procedures, months, cells=cells, deltas=deltas)
        from dxplan.engine import spark as spark_sessions

        self._owned = session is None
        self._root: SparkSession = session if session is not None else spark_sessions.session()
        try:
            self.spark: SparkSession = self._root.newSession()
            if self.deltas:
                self._view("dossier_months", self.dossiers, STORED_TYPES)
                self._view("dossier_delta", self.deltas, STORED_TYPES)
                live = transpile(LIVE_DOSSIERS, self.dialect)
                self.spark.sql(live).createOrReplaceTempView("dossiers")
            else:
                self._view("dossiers", self.dossiers, STORED_TYPES)
            self._view("procedures", self.procedures, CATALOG_TYPES)
            self.spark.createDataFrame(months).createOrReplaceTempView("months")
            if cells is not None:
                self.spark.createDataFrame(cells).createOrReplaceTempView("cells")
        except BaseException:
            self.close()  # a missing file, say: no JVM of ours left behind
            raise

    def _view(self, name: str, files: Sequence[str], types: dict[str, str]) -> None:
        frame: DataFrame
        if files:
            frame = self.spark.read.parquet(*files)
        else:
            frame = self.spark.sql(transpile(empty_select(types), self.dialect))
        frame.createOrReplaceTempView(name)

    def execute(self, sql: str) -> pa.Table:
        table: pa.Table = self.spark.sql(sql).toArrow()
        return table

    def close(self) -> None:
        if self._owned:
            from dxplan.engine import spark as spark_sessions

            spark_sessions.stop(self._root)


ENGINES: Final[dict[str, type[QueryEngine]]] = {
    DuckDBEngine.name: DuckDBEngine,
    SparkEngine.name: SparkEngine,
}


def open_engine(
    name: str,
    dossiers: Sequence[str],
    procedures: Sequence[str],
    months: pa.Table,
    *,
    cells: pa.Table | None = None,
    deltas: Sequence[str] = (),
    **options: Any,
) -> QueryEngine:
    """The engine called `name` over these inputs; `options` go to its class.

    (`connection=` for DuckDB, `session=` for Spark.)
    """
    try:
        kind = ENGINES[name]
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise ValueError(f"unknown engine {name!r}: use one of {known}") from None
    return kind(dossiers, procedures, months, cells=cells, deltas=deltas, **options)
