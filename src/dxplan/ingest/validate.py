"""Row validation in DuckDB: every value parsed, every rule checked, errors located.

The rules come from the feed's column list (`feeds.py`); this module turns them into
one SQL query per batch. Column names are ours, never the file's, and values are never
interpolated into SQL: a file cannot inject anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from dxplan.domain.period import DEFAULT_TIMEZONE
from dxplan.ingest.errors import ErrorReport, UnusableInput, row_error
from dxplan.ingest.feeds import Column, ColumnType, Feed
from dxplan.ingest.readers import ROW, FileScan
from dxplan.operational.clock import use_time_zone

# ISO 8601 with a time of day; an offset, if any, within the world's (±14:00)
TIMESTAMP_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
    r"(Z|[+-](0\d|1[0-4])(:?[0-5]\d)?)?$"
)
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]00:00(:00)?)?$"
TRUE = ("true", "1", "yes", "có")
FALSE = ("false", "0", "no", "không")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(column: Column, typed: bool = False) -> str:
    if typed:  # a typed Parquet value needs no text: it is present or not
        return f"CASE WHEN {_quote(column.name)} IS NOT NULL THEN '' END"
    return f"nullif(trim(nfc_normalize(CAST({_quote(column.name)} AS VARCHAR))), '')"


# Parquet columns of these types are read as they are: turning ten million timestamps
# into text and parsing them back cost most of an import (bench/engine.py).
_TYPED: dict[ColumnType, tuple[str, str]] = {  # arrow type prefix, SQL of the value
    ColumnType.TIMESTAMP: ("timestamp", "epoch_us(CAST({} AS TIMESTAMPTZ))"),  # naive = local
    ColumnType.BOOLEAN: ("bool", "{}"),
    ColumnType.DATE: ("date32", "CAST({} AS DATE)"),
}


def typed_columns(feed: Feed, schema: pa.Schema) -> frozenset[str]:
    """The feed's columns that arrive with their own (right) type, e.g. from Parquet."""
    return frozenset(
        column.name
        for column in feed.columns
        if column.type in _TYPED
        and column.name in schema.names
        and str(schema.field(column.name).type).startswith(_TYPED[column.type][0])
    )


def _literals(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _parsed(column: Column, typed: bool = False) -> str:
    """SQL for the column's parsed value (NULL when empty or unreadable)."""
    if typed:
        return _TYPED[column.type][1].format(f"r_{column.name}")
    t = f"t_{column.name}"
    match column.type:
        case ColumnType.STRING:
            return t
        case ColumnType.ENUM:
            return f"CASE WHEN lower({t}) IN ({_literals(column.choices)}) THEN lower({t}) END"
        case ColumnType.BOOLEAN:
            return (
                f"CASE WHEN lower({t}) IN ({_literals(TRUE)}) THEN true "
                f"WHEN lower({t}) IN ({_literals(FALSE)}) THEN false END"
            )
        case ColumnType.TIMESTAMP:
            return (
                f"CASE WHEN regexp_full_match({t}, '{TIMESTAMP_PATTERN}') "
                f"THEN epoch_us(try_cast({t} AS TIMESTAMPTZ)) END"
            )
        case ColumnType.DATE:
            return (
                f"CASE WHEN regexp_full_match({t}, '{DATE_PATTERN}') "
                f"THEN try_cast(left({t}, 10) AS DATE) END"
            )


_SQL_TYPES = {
    ColumnType.STRING: "VARCHAR",
    ColumnType.ENUM: "VARCHAR",
    ColumnType.BOOLEAN: "BOOLEAN",
    ColumnType.TIMESTAMP: "BIGINT",  # microseconds since the epoch, UTC: every engine agrees
    ColumnType.DATE: "DATE",
}


def staging_schema(feed: Feed) -> str:
    """Column definitions of a feed's validated rows, plus `seq` (file and row order)."""
    columns = [f"{_quote(c.name)} {_SQL_TYPES[c.type]}" for c in feed.columns]
    return ", ".join([*columns, "seq BIGINT"])


_UNREADABLE = {
    ColumnType.ENUM: "not-a-choice",
    ColumnType.BOOLEAN: "not-boolean",
    ColumnType.TIMESTAMP: "not-timestamp",
    ColumnType.DATE: "not-date",
}


def _checks(feed: Feed, known_unit: str) -> list[tuple[str, str, str]]:
    """(code, column, condition) for every check of one row, in reading order."""
    checks: list[tuple[str, str, str]] = []
    for column in feed.columns:
        t, p = f"t_{column.name}", _quote(column.name)
        if column.required:
            checks.append(("missing-value", column.name, f"{t} IS NULL"))
        if column.max_length:
            checks.append(("too-long", column.name, f"length({t}) > {column.max_length}"))
        if column.type in _UNREADABLE:
            checks.append(
                (_UNREADABLE[column.type], column.name, f"{t} IS NOT NULL AND {p} IS NULL")
            )
    checks.append(
        ("unknown-unit", feed.unit_column, f"t_{feed.unit_column} IS NOT NULL AND NOT {known_unit}")
    )
    checks.extend((rule.code, rule.column, rule.condition) for rule in feed.rules)
    return checks


_FILE_STRIDE = 1 << 40  # seq = file index × this + row: file and row order in one number


def _table_of(con: duckdb.DuckDBPyConnection, name: str, codes: Iterable[str]) -> None:
    """A temp table `name` (code VARCHAR) holding `codes`, loaded as one Arrow table."""
    con.register("codes_given", pa.table({"code": pa.array(sorted(set(codes)), pa.string())}))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT code FROM codes_given")
    finally:
        con.unregister("codes_given")


@dataclass
class Validator:
    """Validates batches of one feed and appends the good rows to a staging table.

    `staging` is a temp table: DuckDB keeps it in memory up to the connection's limit
    and spills the rest to its temp folder, never writing it into the database file.
    """

    connection: duckdb.DuckDBPyConnection
    feed: Feed
    units: frozenset[str]
    procedures: frozenset[str] | None = None  # for the unknown-procedure warning
    timezone: str = DEFAULT_TIMEZONE  # the plan's: local days of instants are counted in it

    def __post_init__(self) -> None:
        con = self.connection
        use_time_zone(con, self.timezone)
        _table_of(con, "known_units", self.units)
        _table_of(con, "known_procedures", self.procedures or ())
        unit = _quote(self.feed.unit_column)
        self._known_unit = f"coalesce({unit} IN (SELECT code FROM known_units), false)"
        self._queries: dict[frozenset[str], str] = {}
        errors = ", ".join(
            f"CASE WHEN coalesce({condition}, false) THEN "
            f"{{'code': '{code}', 'column': '{column}', 'value': t_{column}}} END"
            for code, column, condition in _checks(self.feed, self._known_unit)
        )
        self._errors = (
            f"SELECT {ROW}, list_filter([{errors}], e -> e IS NOT NULL), first_row, "
            f"t_{self.feed.key}"
        )
        self._columns = ", ".join(_quote(c.name) for c in self.feed.columns)
        con.execute(f"CREATE TEMP TABLE IF NOT EXISTS staging ({staging_schema(self.feed)})")

    def _query_for(self, typed: frozenset[str]) -> str:
        """The checking query for batches whose `typed` columns arrive with their own type."""
        if typed in self._queries:
            return self._queries[typed]
        columns = self.feed.columns
        texts = ", ".join(f"{_text(c, c.name in typed)} AS t_{c.name}" for c in columns)
        raw = "".join(f", {_quote(name)} AS r_{name}" for name in sorted(typed))
        parsed = ", ".join(f"{_parsed(c, c.name in typed)} AS {_quote(c.name)}" for c in columns)
        # Most rows are good: one OR over the checks marks the bad ones, and only those
        # get their list of errors (building a list for every row cost most of the time).
        bad = " OR ".join(
            f"coalesce({condition}, false)"
            for _, _, condition in _checks(self.feed, self._known_unit)
        )
        key = _quote(self.feed.key)
        duplicate = (
            f", CASE WHEN count(*) OVER (PARTITION BY {key}) > 1 AND "
            f"row_number() OVER (PARTITION BY {key} ORDER BY {ROW}) > 1 THEN "
            f"min({ROW}) OVER (PARTITION BY {key}) END AS first_row"
            if self.feed.unique_in_file
            else ", NULL AS first_row"
        )
        query = f"""
            WITH texts AS (SELECT {ROW}, {texts}{raw} FROM batch),
            parsed AS (SELECT *, {parsed} FROM texts)
            SELECT *, ({bad}) AS bad {duplicate} FROM parsed
        """
        self._queries[typed] = query
        return query

    def stage(
        self, batch: pa.Table | FileScan, file_index: int, label: str, report: ErrorReport
    ) -> int:
        """Check one batch; append its good rows to `staging`; return how many were good.

        The good rows go to `staging` in one pass, never materialised in between; only a
        batch with rejected rows is checked again to list their errors. A `FileScan`
        that DuckDB finds damaged is an unusable file.
        """
        con = self.connection
        first = file_index * _FILE_STRIDE
        query = self._query_for(typed_columns(self.feed, batch.schema))
        if isinstance(batch, FileScan):
            con.execute(f"CREATE OR REPLACE TEMP VIEW batch AS {batch.sql()}")
        else:
            con.register("batch", batch)
        try:
            inserted = con.execute(
                f"INSERT INTO staging SELECT {self._columns}, {first}::BIGINT + {ROW} AS seq "
                f"FROM ({query}) WHERE NOT bad AND first_row IS NULL"
            ).fetchone()
            good = int(inserted[0]) if inserted else 0
            if good < batch.num_rows:
                self._report_errors(query, label, report)
            if self.procedures is not None and good:
                self._report_unknown_procedures(first, label, report)
        except (duckdb.IOException, duckdb.InvalidInputException) as error:
            if not isinstance(batch, FileScan):
                raise
            raise UnusableInput(label, f"the Parquet file is damaged ({error})") from None
        finally:
            if isinstance(batch, FileScan):
                con.execute("DROP VIEW IF EXISTS batch")
            else:
                con.unregister("batch")
        return good

    def _report_unknown_procedures(self, first: int, label: str, report: ErrorReport) -> None:
        """Warn of the batch's staged rows whose procedure is not in the catalog."""
        for row, code in self.connection.execute(
            f"SELECT seq - {first}, procedure_code FROM staging "
            f"WHERE seq BETWEEN {first} + (SELECT min({ROW}) FROM batch) "
            f"AND {first} + (SELECT max({ROW}) FROM batch) "
            "AND procedure_code NOT IN (SELECT code FROM known_procedures) ORDER BY 1"
        ).fetchall():
            report.add(row_error(label, row, "procedure_code", "unknown-procedure", value=code))

    def _report_errors(self, query: str, label: str, report: ErrorReport) -> None:
        """Add the errors of the batch's rows that `stage` left out of `staging`."""
        bad = self.connection.execute(
            f"{self._errors} FROM ({query}) WHERE bad OR first_row IS NOT NULL ORDER BY {ROW}"
        ).fetchall()
        for row, errors, first_row, key in bad:
            for error in errors:
                extra: dict[str, object] = {}
                if error["code"] == "too-long":
                    extra["limit"] = self.feed.column(error["column"]).max_length
                if error["code"] == "not-a-choice":
                    extra["choices"] = ", ".join(self.feed.column(error["column"]).choices)
                value = error["value"]
                if value is not None and len(value) > 80:
                    value = value[:77] + "..."
                report.add(
                    row_error(label, row, error["column"], error["code"], value=value, **extra)
                )
            if first_row is not None:
                report.add(
                    row_error(
                        label, row, self.feed.key, "duplicate-key", value=key, first=first_row
                    )
                )
        report.rejected_rows += len(bad)
