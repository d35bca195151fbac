"""Catalog versions: each import replaces the catalog; earlier versions are kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import duckdb

from dxplan.operational.columns import empty_select, sql_path
from dxplan.operational.snapshot import CatalogVersion, Manifest, Writer

COLUMNS = (
    "procedure_code, name, agency_code, level, online_level, on_national_portal, has_fee, "
    "online_payment, valid_from, valid_to"
)

CATALOG_TYPES = {
    "procedure_code": "VARCHAR",
    "name": "VARCHAR",
    "agency_code": "VARCHAR",
    "level": "VARCHAR",
    "online_level": "VARCHAR",
    "on_national_portal": "BOOLEAN",
    "has_fee": "BOOLEAN",
    "online_payment": "BOOLEAN",
    "valid_from": "DATE",
    "valid_to": "DATE",
}


def register_catalog(con: duckdb.DuckDBPyConnection, manifest: Manifest, root: str) -> None:
    """A view `procedures` over the latest catalog (empty before the first import)."""
    latest = manifest.catalog
    if latest is None:
        con.execute(f"CREATE OR REPLACE TEMP VIEW procedures AS {empty_select(CATALOG_TYPES)}")
        return
    path = sql_path(f"{root}/{latest.file}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW procedures AS SELECT * FROM read_parquet({path})")


def replace_catalog(
    con: duckdb.DuckDBPyConnection, writer: Writer, root: str
) -> tuple[Manifest, tuple[int, int, int]]:
    """Make `staging` the new catalog unless it equals the latest one.

    Returns the manifest and (added, removed, changed) procedures against the latest
    catalog; all zero means nothing was written.
    """
    base = writer.base
    register_catalog(con, base, root)
    valid = con.execute("SELECT count(*) FROM staging").fetchone()
    if not valid or valid[0] == 0:
        return base, (0, 0, 0)  # a file whose every row was rejected never empties the catalog
    row = con.execute(
        f"""SELECT
            (SELECT count(*) FROM staging WHERE procedure_code NOT IN
                (SELECT procedure_code FROM procedures)),
            (SELECT count(*) FROM procedures WHERE procedure_code NOT IN
                (SELECT procedure_code FROM staging)),
            (SELECT count(*) FROM (SELECT {COLUMNS} FROM staging
                 WHERE procedure_code IN (SELECT procedure_code FROM procedures)
                 EXCEPT SELECT {COLUMNS} FROM procedures))"""
    ).fetchone()
    changes = (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)
    if base.catalog is not None and changes == (0, 0, 0):
        return base, changes
    relative, path = writer.new_file("catalog", "procedures")
    con.execute(
        f"COPY (SELECT {COLUMNS} FROM staging ORDER BY procedure_code) TO {sql_path(path)} "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    count = con.execute("SELECT count(*) FROM staging").fetchone()
    version = CatalogVersion(
        version=len(base.catalogs) + 1,
        file=relative,
        imported_at=datetime.now(UTC).isoformat(),
        procedures=int(count[0]) if count else 0,
    )
    return replace(base, catalogs=(*base.catalogs, version)), changes
