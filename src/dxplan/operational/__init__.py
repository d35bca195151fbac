"""The operational store: dossiers and catalog versions as Parquet snapshots, read by DuckDB.

Many readers (the web server, exports) and one writer (an import) share it: see
`snapshot.py`. The decision and its measurements: docs/decisions/0005.
"""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

import duckdb

from dxplan.domain.period import DEFAULT_TIMEZONE
from dxplan.operational.catalog import register_catalog
from dxplan.operational.clock import use_time_zone
from dxplan.operational.partitions import DELTA_LIMIT, register_dossiers
from dxplan.operational.snapshot import Manifest, Snapshots, StoreBusy

__all__ = ["MEMORY_LIMIT", "Manifest", "OperationalStore", "Snapshots", "StoreBusy", "sweep"]

MEMORY_LIMIT = "1GB"  # DuckDB spills beyond this (the default of DXPLAN_DUCKDB_MEMORY_LIMIT)
SPILL = "spill"  # beside the snapshots: where readers' connections spill past the limit


def sweep(folder: Path, older_than: float = 86_400) -> None:
    """Remove the folders a killed process left in `folder` (untouched for a day)."""
    limit = time.time() - older_than
    for found in folder.iterdir():
        if found.is_dir() and found.stat().st_mtime < limit:
            shutil.rmtree(found, ignore_errors=True)


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
        if database == ":memory:":
            # past the limit an in-memory database spills to `.tmp` in the working folder
            # (9.6 GB at 200 M dossiers, wherever the command was started): spill beside
            # the store instead, in a folder of this connection's own (two databases
            # spilling into one folder overwrite each other's files). DuckDB makes it
            # only when it spills and removes it when the connection closes.
            spill = self.root / SPILL
            spill.mkdir(parents=True, exist_ok=True)
            sweep(spill)
            con.execute(f"SET temp_directory = '{spill / uuid.uuid4().hex}'")
        register_dossiers(con, manifest, str(self.root))
        register_catalog(con, manifest, str(self.root))
        return con, manifest
