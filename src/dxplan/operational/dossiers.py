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

import duckdb

from dxplan.operational.clock import use_time_zone
from dxplan.operational.columns import CONTENT, CONTENT_COLUMNS, STORED
from dxplan.operational.partitions import (
    DELTA_LIMIT,
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


def _month(column: str) -> str:
    # the local month (in the session's zone, the plan's) of an epoch-microsecond instant
    return f"CAST(strftime(make_timestamptz({column}), '%Y%m') AS INTEGER)"


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
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE incoming AS
        SELECT {CONTENT}, {import_no}::INTEGER AS import_no, seq,
               {_month("received_at")} AS received_month,
               CASE WHEN finished_at IS NOT NULL THEN {_month("finished_at")} END
                   AS finished_month
        FROM staging
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE changed_old AS
        {stored_versions_sql(base, root, "SELECT dossier_id FROM incoming")}
        """
    )
    # Fast path (a first load, or only new dossiers, each once): every row wins as it is.
    overlap = _count(con, "SELECT count(*) FROM changed_old")
    repeats = _count(con, "SELECT count(*) - count(DISTINCT dossier_id) FROM incoming")
    if overlap == 0 and repeats == 0:
        con.execute(f"CREATE OR REPLACE TEMP TABLE changed_new AS SELECT {STORED} FROM incoming")
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
