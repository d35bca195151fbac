"""The operational store: dossiers and catalog versions as Parquet snapshots, read by DuckDB.

Many readers (the web server, exports) and one writer (an import) share it: see
`snapshot.py`. The decision and its measurements: docs/decisions/0005.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from dxplan.domain.period import DEFAULT_TIMEZONE
from dxplan.operational.catalog import register_catalog
from dxplan.operational.clock import use_time_zone
from dxplan.operational.partitions import DELTA_LIMIT, register_dossiers
from dxplan.operational.snapshot import Manifest, Snapshots, StoreBusy

__all__ = ["MEMORY_LIMIT", "Manifest", "OperationalStore", "Snapshots", "StoreBusy"]

MEMORY_LIMIT = "1GB"  # DuckDB spills beyond this (the default of DXPLAN_DUCKDB_MEMORY_LIMIT)


class OperationalStore:
    def __init__(
        self, root: Path, memory_limit: str = MEMORY_LIMIT, delta_limit: int = DELTA_LIMIT
    ) -> None:
        self.root = root
        self.memory_limit = memory_limit
        self.delta_limit = delta_limit  # rows of changed dossiers kept apart (partitions.py)
        self.snapshots = Snapshots(root)

    def connect(
        self,
        manifest: Manifest | None = None,
        *,
        database: str = ":memory:",
        timezone: str = DEFAULT_TIMEZONE,
    ) -> tuple[duckdb.DuckDBPyConnection, Manifest]:
        """A DuckDB connection with views `dossiers` and `procedures` over one snapshot,
        counting local days and months in `timezone` (the plan's)."""
        manifest = manifest or self.snapshots.current()
        con = duckdb.connect(database)
        use_time_zone(con, timezone)
        con.execute(f"SET memory_limit = '{self.memory_limit}'")
        register_dossiers(con, manifest, str(self.root))
        register_catalog(con, manifest, str(self.root))
        return con, manifest
