"""Where stored dossiers live: month files, and a delta of the dossiers changed since.

A snapshot's dossiers are its month files (one per local month of receipt) read
"minus the dossiers found in the delta, plus the delta": the delta holds the current
version of every dossier changed since the month files were written, one row each.
An import that changes 30,000 of 10 million dossiers thus rewrites the small delta,
not the ~20 month files those dossiers sit in. Once the delta holds more than
`delta_limit` rows the import compacts: it writes the months again with the delta
folded in and starts with none. Either way the new files have new names and only the
next manifest (`snapshot.py`) makes them current, so a writer killed halfway leaves
the previous snapshot whole.

Readers that take file lists (the Spark engine, the benchmarks) take both lists and
read them through `LIVE_DOSSIERS`, the same portable SQL the DuckDB view uses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

import duckdb

from dxplan.operational.columns import STORED, STORED_TYPES, empty_select, sql_path
from dxplan.operational.snapshot import Manifest, Writer

# Rows in the delta past which an import writes the months again (about 2 MB of
# Parquet per 100,000 rows; reading them costs every query of the dossiers an anti-join).
DELTA_LIMIT: Final = 500_000

# The dossiers of a snapshot over two tables of stored rows: `dossier_months` (the month
# files) and `dossier_delta` (the delta). Portable SQL: SQLGlot writes it for Spark.
LIVE_DOSSIERS: Final = f"""
    SELECT {STORED} FROM dossier_months m
    WHERE NOT EXISTS (SELECT 1 FROM dossier_delta d WHERE d.dossier_id = m.dossier_id)
    UNION ALL
    SELECT {STORED} FROM dossier_delta
"""

PARTITION_OPTIONS: Final = "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"


def dossier_files(manifest: Manifest, root: str) -> list[str]:
    """The month files of a snapshot (with `delta_files`, every stored dossier)."""
    return [f"{root}/{path}" for _, path in sorted(manifest.dossiers.items())]


def delta_files(manifest: Manifest, root: str) -> list[str]:
    """The snapshot's delta file, if it has one (an empty list: the months are whole)."""
    return [f"{root}/{manifest.dossier_delta}"] if manifest.dossier_delta else []


def _parquet(files: list[str]) -> str:
    if not files:
        return empty_select(STORED_TYPES)
    return f"SELECT {STORED} FROM read_parquet([{', '.join(sql_path(f) for f in files)}])"


def register_dossiers(con: duckdb.DuckDBPyConnection, manifest: Manifest, root: str) -> None:
    """A view `dossiers` over the snapshot (empty with the right columns if it has none),
    and its parts: `dossier_months` and `dossier_delta` (empty without a delta)."""
    months, delta = dossier_files(manifest, root), delta_files(manifest, root)
    con.execute(f"CREATE OR REPLACE TEMP VIEW dossier_months AS {_parquet(months)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW dossier_delta AS {_parquet(delta)}")
    # the month files alone need no anti-join
    live = LIVE_DOSSIERS if delta else "SELECT * FROM dossier_months"
    con.execute(f"CREATE OR REPLACE TEMP VIEW dossiers AS {live}")


def stored_versions_sql(manifest: Manifest, root: str, ids: str) -> str:
    """SQL for the current stored rows of the dossiers that query `ids` names.

    The month files are searched by id first and the few rows found are then checked
    against the delta: the anti-join never meets the 10 million rows.
    """
    months, delta = _parquet(dossier_files(manifest, root)), _parquet(delta_files(manifest, root))
    found = f"SELECT * FROM ({months}) WHERE dossier_id IN ({ids})"
    if not manifest.dossier_delta:
        return found
    return f"""
        SELECT * FROM ({delta}) WHERE dossier_id IN ({ids})
        UNION ALL
        SELECT * FROM ({found}) WHERE dossier_id NOT IN (SELECT dossier_id FROM ({delta}))
    """


@dataclass(frozen=True)
class Layout:
    """Where the next snapshot's dossiers are: its month files and delta."""

    months: dict[str, str]
    delta: str | None
    delta_count: int
    rewritten: tuple[int, ...]  # the months written again (none when only the delta was)

    def applied(self, manifest: Manifest) -> Manifest:
        return replace(
            manifest, dossiers=self.months, dossier_delta=self.delta, delta_count=self.delta_count
        )


def write_changes(
    con: duckdb.DuckDBPyConnection,
    writer: Writer,
    root: str,
    *,
    delta_limit: int = DELTA_LIMIT,
) -> Layout:
    """Store the rows of temp table `changed_new` (new current versions) in new files.

    They go into a new delta (the previous one less the dossiers they replace, plus
    them); when that would pass `delta_limit` rows, or the store has no month files yet
    (a first load), into new month files instead.
    """
    base = writer.base
    previous = delta_files(base, root)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE next_delta AS
        SELECT {STORED} FROM ({_parquet(previous)})
        WHERE dossier_id NOT IN (SELECT dossier_id FROM changed_new)
        UNION ALL SELECT {STORED} FROM changed_new
        """
    )
    rows = _count(con, "SELECT count(*) FROM next_delta")
    if base.dossiers and rows <= delta_limit:
        relative, path = writer.new_file("dossiers", "delta")
        con.execute(
            f"COPY (SELECT {STORED} FROM next_delta) TO {sql_path(path)} {PARTITION_OPTIONS}"
        )
        return Layout(dict(base.dossiers), relative, rows, ())
    return _compact(con, writer, root)


def _compact(con: duckdb.DuckDBPyConnection, writer: Writer, root: str) -> Layout:
    """Fold `next_delta` into the month files: each month holding one of its dossiers
    (an old version to drop, or the current one to add) is written again."""
    base = writer.base
    files = dossier_files(base, root)
    stale = (
        con.execute(
            f"""SELECT DISTINCT received_month FROM ({_parquet(files)})
                WHERE dossier_id IN (SELECT dossier_id FROM next_delta)"""
        ).fetchall()
        if files
        else []
    )
    fresh = con.execute("SELECT DISTINCT received_month FROM next_delta").fetchall()
    months = sorted({int(m) for (m,) in stale} | {int(m) for (m,) in fresh})
    partitions = dict(base.dossiers)
    for month in months:
        key = str(month)
        kept = (
            f"SELECT {STORED} FROM read_parquet({sql_path(f'{root}/{partitions[key]}')}) "
            "WHERE dossier_id NOT IN (SELECT dossier_id FROM next_delta)"
            if key in partitions
            else f"SELECT {STORED} FROM next_delta WHERE false"
        )
        rows = f"{kept} UNION ALL SELECT {STORED} FROM next_delta WHERE received_month = {month}"
        relative, path = writer.new_file("dossiers", key)
        con.execute(f"COPY ({rows}) TO {sql_path(path)} {PARTITION_OPTIONS}")
        if _count(con, f"SELECT count(*) FROM read_parquet({sql_path(path)})") == 0:
            path.unlink()  # every dossier of the month moved to another one
            partitions.pop(key, None)
            continue
        partitions[key] = relative
    return Layout(partitions, None, 0, tuple(months))


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
