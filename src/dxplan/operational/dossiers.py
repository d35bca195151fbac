"""Upserting dossiers: the contract's versioning rules, month partitions, change sets.

For one dossier_id the record with the greatest `updated_at` wins; a record without
`updated_at` is newer than every record imported before it; between equal `updated_at`
the later-imported record wins. Processing records in import order, a new record thus
replaces the current one unless both carry `updated_at` and the new one's is older.
Set-wise, that is: take the records from the last one without `updated_at` onwards
(all of them if there is none) and keep the greatest (`updated_at`, import order), a
missing `updated_at` counting as the smallest. The merge applies that rule to the
stored record and the new ones together, so incremental imports and one big import
agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import duckdb

from dxplan.operational.clock import local_month_sql, steady_offset, use_time_zone
from dxplan.operational.columns import CONTENT, CONTENT_COLUMNS, STORED, sql_path
from dxplan.operational.partitions import (
    DELTA_LIMIT,
    PARTITION_OPTIONS,
    register_dossiers,
    stored_versions_sql,
    write_changes,
)
from dxplan.operational.snapshot import Manifest, Writer


@dataclass(frozen=True)
class DossierChange:
    """What an import changed: counts, and temp tables `changed_old` and `changed_new`."""

    received: int
    changed: int
    months: tuple[int, ...]


def _steady_offset(con: duckdb.DuckDBPyConnection, timezone: str) -> int | None:
    """The zone's offset if it holds over every incoming instant (see `steady_offset`)."""
    row = con.execute(
        "SELECT least(min(received_at), min(finished_at)), "
        "greatest(max(received_at), max(finished_at)) FROM staging"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return steady_offset(timezone, int(row[0]), int(row[1]))


def _repeats(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """How many rows of `table` repeat an earlier row's dossier_id."""
    # distinct 64-bit hashes are cheaper to count than strings; a collision only lowers
    # the count, so no repeat among the hashes means none among the ids
    if _count(con, f"SELECT count(*) - count(DISTINCT hash(dossier_id)) FROM {table}") == 0:
        return 0
    return _count(con, f"SELECT count(*) - count(DISTINCT dossier_id) FROM {table}")


def _incoming_sql(import_no: int, offset: int | None) -> str:
    """The staged rows as stored rows: the import's number and local months added."""
    return f"""
        SELECT {CONTENT}, {import_no}::INTEGER AS import_no, seq,
               {local_month_sql("received_at", offset)} AS received_month,
               CASE WHEN finished_at IS NOT NULL THEN {local_month_sql("finished_at", offset)} END
                   AS finished_month
        FROM staging
    """


def _first_load(
    con: duckdb.DuckDBPyConnection, writer: Writer, import_no: int, offset: int
) -> tuple[Manifest, DossierChange] | None:
    """Write each month's file straight from `staging` when nothing is stored yet and no
    dossier comes twice (every row wins as it is); None when a dossier does.

    With a steady `offset` a local month is a range of instants, which DuckDB reads
    from `staging` without a copy of ten million rows in between.
    """
    if _repeats(con, "staging"):
        return None
    rows = _incoming_sql(import_no, offset)
    con.execute(f"CREATE OR REPLACE TEMP VIEW changed_new AS {rows}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE changed_old AS {rows} WHERE false")
    month = local_month_sql("received_at", offset)
    counts = con.execute(
        f"SELECT {month} AS month, count(*) FROM staging GROUP BY month ORDER BY month"
    ).fetchall()
    partitions: dict[str, str] = {}
    for key, _ in counts:
        start, end = _local_start(key, offset), _local_start(_next_month(key), offset)
        relative, path = writer.new_file("dossiers", str(key))
        con.execute(
            f"COPY ({rows} WHERE received_at >= {start} AND received_at < {end}) "
            f"TO {sql_path(path)} {PARTITION_OPTIONS}"
        )
        partitions[str(key)] = relative
    total = sum(n for _, n in counts)
    manifest = replace(writer.base, imports=import_no, dossiers=partitions, dossier_count=total)
    return manifest, DossierChange(total, total, tuple(m for m, _ in counts))


def _next_month(month: int) -> int:
    return month + 1 if month % 100 < 12 else month + 89  # 202512 → 202601


def _local_start(month: int, offset: int) -> int:
    """The first instant (epoch µs) of a local month (202507) at a steady offset."""
    naive = datetime(month // 100, month % 100, 1, tzinfo=UTC).timestamp()
    return int(naive) * 1_000_000 - offset


def merge(
    con: duckdb.DuckDBPyConnection,
    writer: Writer,
    root: str,
    timezone: str,
    *,
    delta_limit: int = DELTA_LIMIT,
) -> tuple[Manifest, DossierChange]:
    """Merge the validated rows of `staging` into the snapshot; return the next manifest.

    Leaves temp tables `changed_old` (stored versions replaced) and `changed_new` (their
    replacements and new dossiers) for the engine's incremental recompute. Months of
    instants are the plan's: local months in `timezone`.
    """
    base = writer.base
    import_no = base.imports + 1
    register_dossiers(con, base, root)
    use_time_zone(con, timezone)
    offset = _steady_offset(con, timezone)
    if not base.dossiers and base.dossier_delta is None and offset is not None:
        first = _first_load(con, writer, import_no, offset)
        if first is not None:
            return first
    con.execute(f"CREATE OR REPLACE TEMP TABLE incoming AS {_incoming_sql(import_no, offset)}")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE changed_old AS
        {stored_versions_sql(base, root, "SELECT dossier_id FROM incoming")}
        """
    )
    # Fast path (a first load, or only new dossiers, each once): every row wins as it is.
    if _count(con, "SELECT count(*) FROM changed_old") == 0 and _repeats(con, "incoming") == 0:
        # the incoming rows are the change as they are: a view, not a second copy
        con.execute(f"CREATE OR REPLACE TEMP VIEW changed_new AS SELECT {STORED} FROM incoming")
    else:
        # apply the versioning rule to the stored record and the new ones together
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE winners AS
            WITH candidates AS (
                SELECT *, import_no::HUGEINT * 281474976710656 + seq AS ord FROM (
                    SELECT {STORED} FROM changed_old UNION ALL SELECT {STORED} FROM incoming)
            ),
            marked AS (
                SELECT *, max(CASE WHEN updated_at IS NULL THEN ord END)
                    OVER (PARTITION BY dossier_id) AS last_undated
                FROM candidates
            ),
            ranked AS (
                SELECT *, row_number() OVER (
                    PARTITION BY dossier_id ORDER BY updated_at DESC NULLS LAST, ord DESC) AS rank
                FROM marked WHERE ord >= coalesce(last_undated, -1)
            )
            SELECT {STORED} FROM ranked WHERE rank = 1
            """
        )
        # a winner that only repeats the stored record changes nothing (idempotent imports)
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE changed_new AS
            SELECT w.* FROM winners w LEFT JOIN changed_old o USING (dossier_id)
            WHERE o.dossier_id IS NULL OR {
                " OR ".join(f"w.{c} IS DISTINCT FROM o.{c}" for c in CONTENT_COLUMNS)
            }
            """
        )
        con.execute(
            "DELETE FROM changed_old WHERE dossier_id NOT IN (SELECT dossier_id FROM changed_new)"
        )
    received = _count(con, "SELECT count(*) FROM staging")
    changed = _count(con, "SELECT count(*) FROM changed_new")
    if changed == 0:
        return base, DossierChange(received, 0, ())
    months = sorted(
        m
        for (m,) in con.execute(
            "SELECT received_month FROM changed_old UNION SELECT received_month FROM changed_new"
        ).fetchall()
    )
    replaced = _count(con, "SELECT count(*) FROM changed_old")
    layout = write_changes(con, writer, root, delta_limit=delta_limit)
    manifest = replace(
        layout.applied(base),
        imports=import_no,
        dossier_count=base.dossier_count + changed - replaced,
    )
    return manifest, DossierChange(received, changed, tuple(months))


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
