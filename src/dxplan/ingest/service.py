"""Importing feed files and recomputing: the steps that keep store and figures in step.

Every file is read and checked before anything is written: an unusable file (no header,
a missing column, a damaged Parquet file) stops the import with nothing stored. Rows
with errors are left out and reported; the others go into one new snapshot of the
operational store, and the engine recomputes the (unit, month) cells they touched.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period, PeriodKind
from dxplan.domain.plan import Plan
from dxplan.engine.calendar import months_table
from dxplan.engine.compute import ENGINE_MEASURES, Engine, Result
from dxplan.engine.engines import DEFAULT_ENGINE, open_engine
from dxplan.ingest.errors import ErrorReport, UnusableInput
from dxplan.ingest.feeds import FEEDS
from dxplan.ingest.readers import read
from dxplan.ingest.validate import Validator
from dxplan.operational import OperationalStore, sweep
from dxplan.operational.catalog import register_catalog, replace_catalog
from dxplan.operational.dossiers import merge
from dxplan.operational.partitions import delta_files, dossier_files, register_dossiers
from dxplan.operational.snapshot import Manifest, Writer
from dxplan.store import values as value_store
from dxplan.workspace import Workspace

Progress = Callable[[int], None]  # told how many rows were just read

__all__ = [
    "ComputeResult",
    "ImportResult",
    "NotInitialised",
    "UnusableInput",
    "compute",
    "import_files",
]


class NotInitialised(Exception):
    """The workspace has no plan or units yet."""


@dataclass
class ComputeResult:
    values_written: int = 0
    cells: int = 0  # (unit, month) cells computed from dossiers
    mode: str = "full"  # full | incremental (touched cells) | roll-up (stored base)


@dataclass
class ImportResult(ComputeResult):
    feed: str = ""
    files: int = 0
    rows: int = 0
    stored: int = 0  # rows that changed the store: new dossiers or newer records
    catalog_changes: tuple[int, int, int] | None = None  # added, removed, changed
    report: ErrorReport = field(default_factory=ErrorReport)

    @property
    def rejected(self) -> int:
        return self.report.rejected_rows


@dataclass(frozen=True)
class _Context:
    plan: Plan
    organisation: Organisation
    store: OperationalStore
    scratch: Path
    engine: str = DEFAULT_ENGINE
    spark_master: str = "local[2]"


def operational_store(workspace: Workspace) -> OperationalStore:
    """The operational store of a workspace (in its data folder)."""
    settings = workspace.settings
    return OperationalStore(
        settings.data_dir / "operational",
        settings.duckdb_memory_limit,
        settings.dossier_delta_limit,
    )


def _context(workspace: Workspace) -> _Context:
    plan, organisation = workspace.plan(), workspace.organisation()
    if plan is None or organisation is None:
        raise NotInitialised("the store holds no plan yet: run `dxplan init` first")
    settings = workspace.settings
    return _Context(
        plan,
        organisation,
        operational_store(workspace),
        settings.data_dir / "tmp",
        settings.engine,
        settings.spark_master,
    )


@contextmanager
def _scratch_connection(context: _Context) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB database on disk for staging: 10 million rows never sit in memory."""
    context.scratch.mkdir(parents=True, exist_ok=True)
    sweep(context.scratch)
    with tempfile.TemporaryDirectory(dir=context.scratch) as folder:
        con = duckdb.connect(str(Path(folder) / "staging.duckdb"))
        # bounded memory: past this DuckDB spills to the scratch folder
        con.execute(f"SET memory_limit = '{context.store.memory_limit}'")
        con.execute(f"SET temp_directory = '{Path(folder) / 'spill'}'")
        try:
            yield con
        finally:
            con.close()


def import_files(
    workspace: Workspace,
    feed_name: str,
    paths: Sequence[Path],
    *,
    progress: Progress | None = None,
    actor: str = "import",
    report: ErrorReport | None = None,
) -> ImportResult:
    """Validate `paths`, store their good rows and recompute; UnusableInput for a bad file.

    Row errors go to `report` (give one with a sink for the full CSV report).
    """
    context = _context(workspace)
    feed = FEEDS[feed_name]
    root = str(context.store.root)
    result = ImportResult(feed=feed.name, files=len(paths), report=report or ErrorReport())
    with _scratch_connection(context) as con:
        register_catalog(con, context.store.snapshots.current(), root)
        procedures = None
        if feed.name == "dossiers":
            known = con.execute("SELECT procedure_code FROM procedures").fetchall()
            procedures = frozenset(code for (code,) in known) or None
        # retired units' old records are welcome: their figures roll into the successor
        organisation = context.organisation
        units = frozenset([*(u.code for u in organisation), *organisation.successors])
        validator = Validator(con, feed, units, procedures, context.plan.timezone)
        for index, path in enumerate(paths):
            columns = [c.name for c in feed.columns]
            for batch, errors in read(path, str(path), columns, feed.required, feed.containers):
                for error in errors:
                    result.report.add(error)
                result.report.rejected_rows += len(errors)
                result.rows += batch.num_rows + len(errors)
                validator.stage(batch, index, str(path), result.report)
                if progress:
                    progress(batch.num_rows + len(errors))
        with context.store.snapshots.writer() as writer:
            _resync(con, writer, context, workspace, actor)
            if feed.name == "dossiers":
                manifest, change = merge(
                    con, writer, root, context.plan.timezone, delta_limit=context.store.delta_limit
                )
                result.stored = change.changed
            else:
                manifest, changes = replace_catalog(con, writer, root)
                result.catalog_changes = changes
                result.stored = sum(changes) or (0 if manifest is writer.base else 1)
            if result.stored == 0:
                return result  # nothing new: the store and the figures stay as they are
            manifest, computed, mode = _recompute(
                con, writer, manifest, context, incremental=feed.name == "dossiers"
            )
            final = writer.commit(manifest)
            result.cells, result.mode = computed.cells, mode
            result.values_written = _record(workspace, computed, actor, full=mode != "incremental")
            context.store.snapshots.mark_synced(final.version)
    return result


def compute(workspace: Workspace, *, full: bool = False, actor: str = "compute") -> ComputeResult:
    """Recompute the figures of the current snapshot; `full` recomputes every cell."""
    context = _context(workspace)
    with _scratch_connection(context) as con, context.store.snapshots.writer() as writer:
        manifest, computed, mode = _recompute(
            con, writer, writer.base, context, incremental=False, full=full
        )
        final = writer.commit(manifest)
        written = _record(workspace, computed, actor, full=True)
        context.store.snapshots.mark_synced(final.version)
    return ComputeResult(written, computed.cells, mode)


def _resync(
    con: duckdb.DuckDBPyConnection,
    writer: Writer,
    context: _Context,
    workspace: Workspace,
    actor: str,
) -> None:
    """Bring the value store level with the current snapshot if an earlier run died between.

    A snapshot is committed before its figures are recorded; a process killed in that
    gap leaves figures of the previous snapshot, which the next writer puts right.
    """
    current = writer.base
    if current.version == 0 or context.store.snapshots.synced() == current.version:
        return
    _, computed, _ = _recompute(con, writer, current, context, incremental=False)
    _record(workspace, computed, actor, full=True)
    context.store.snapshots.mark_synced(current.version)


def _this_month(plan: Plan) -> Period:
    calendar = plan.calendar
    return calendar.period_of(PeriodKind.MONTH, calendar.now())


def _recompute(
    con: duckdb.DuckDBPyConnection,
    writer: Writer,
    manifest: Manifest,
    context: _Context,
    *,
    incremental: bool,
    full: bool = False,
) -> tuple[Manifest, Result, str]:
    """Compute on `manifest`: only touched cells when the stored base and grid still fit."""
    root = str(context.store.root)
    register_dossiers(con, manifest, root)
    register_catalog(con, manifest, root)
    engine = Engine(con, context.plan, context.organisation)
    stored = (
        pq.read_table(context.store.snapshots.path(manifest.base))
        if manifest.base is not None and not full
        else None
    )
    result: Result | None = None
    if incremental and stored is not None and engine.changes_fit(manifest.months):
        # the grid follows from the moved base: no pass over every dossier to find it
        moved = engine.incremental(manifest.months, stored)
        if engine.grid_of(moved.base) == tuple(manifest.months):
            result, months, mode = moved, tuple(manifest.months), "incremental"
    if result is None:
        months = engine.month_grid(_this_month(context.plan))
        if stored is not None and tuple(manifest.months) == months and not incremental:
            result, mode = engine.rollup(stored, months), "roll-up"
        else:
            result, mode = engine.full(months, _base_elsewhere(context, manifest, months)), "full"
    relative, path = writer.new_file("base", "monthly")
    pq.write_table(result.base, path, compression="zstd")
    return replace(manifest, base=relative, months=months), result, mode


def _base_elsewhere(
    context: _Context, manifest: Manifest, months: Sequence[int]
) -> pa.Table | None:
    """The monthly base from the configured engine when it is not DuckDB (Spark), or None."""
    if context.engine == DEFAULT_ENGINE:
        return None
    root = context.store.root
    catalog = [str(root / manifest.catalog.file)] if manifest.catalog else []
    from dxplan.engine import spark  # the JVM starts only when Spark is asked for

    session = spark.session(context.spark_master)
    try:
        with open_engine(
            context.engine,
            dossier_files(manifest, str(root)),
            catalog,
            months_table(months, context.plan.calendar),
            deltas=delta_files(manifest, str(root)),
            session=session,
        ) as engine:
            return engine.dossier_measures()
    finally:
        spark.stop(session)


def _record(workspace: Workspace, result: Result, actor: str, *, full: bool) -> int:
    """Store the computed values; unless incremental, a figure no longer found is withdrawn.

    (An incremental compute gives only the values that moved: the value store holds the
    previous snapshot's figures, `_resync` sees to that.)
    """
    columns = result.to_record.to_pydict()
    rows = list(
        zip(
            columns["measure"],
            columns["unit_code"],
            columns["period"],
            columns["value"],
            strict=True,
        )
    )
    with workspace.writing() as conn:
        return value_store.sync(
            conn,
            rows,
            measures=ENGINE_MEASURES,
            source="engine",
            actor=actor,
            withdraw_missing=full,
        )
