"""Catalog versions: each import replaces the catalog; earlier versions are kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import duckdb

from dxplan.operational.dossiers import empty_select, sql_path
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
) -> tuple[Manifest, bool]:
    """Make `staging` the new catalog unless it equals the latest one; (manifest, changed)."""
    base = writer.base
    register_catalog(con, base, root)
    differs = con.execute(
        f"""SELECT (SELECT count(*) FROM (SELECT {COLUMNS} FROM staging
                    EXCEPT SELECT {COLUMNS} FROM procedures))
                 + (SELECT count(*) FROM (SELECT {COLUMNS} FROM procedures
                    EXCEPT SELECT {COLUMNS} FROM staging))"""
    ).fetchone()
    if base.catalog is not None and differs is not None and differs[0] == 0:
        return base, False
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
    return replace(base, catalogs=(*base.catalogs, version)), True
