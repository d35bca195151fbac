"""Backing up a data folder and its store while they serve, and restoring into an empty one.

The transactional store is read at one instant: SQLite through its online backup API
(one step, so one read transaction: writers go on, WAL keeps the copy whole), PostgreSQL
in one read-only, deferrable REPEATABLE READ transaction. The operational store needs no
lock: its files never change once written and a manifest names a whole snapshot (see
`operational/snapshot.py`); the backup copies the snapshot that `CURRENT` named.

The two stores are read a moment apart. An import commits its snapshot first, then the
figures, then marks the snapshot synced. When nothing was committed while the backup
ran and the snapshot was already synced, the archive says so; otherwise the restored
store is in the state of an import killed between the two steps, and the next import or
`dxplan compute` brings the figures level (as it does after a crash).
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    Table,
    create_engine,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

import dxplan
from dxplan.backup import archive
from dxplan.backup.archive import BackupError, Manifest, StoreEmpty, TableDump
from dxplan.operational.snapshot import Manifest as Snapshot
from dxplan.operational.snapshot import Snapshots
from dxplan.settings import Settings
from dxplan.store import create_db_engine, is_initialised
from dxplan.store.db import MIGRATIONS
from dxplan.store.tables import metadata

ATTEMPTS: Final = 3  # tries at a copy during which no import committed
BATCH: Final = 2000


@dataclass(frozen=True)
class Summary:
    """What a backup holds or a restore wrote."""

    counts: dict[str, int]
    alembic_revision: str
    operational_version: int
    operational_synced: bool


def backup(settings: Settings, target: Path) -> Summary:
    """Write a consistent archive of the store and the operational files to `target`."""
    if target.exists():
        raise BackupError(f"{target} exists: choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    engine = create_db_engine(settings.database)
    try:
        if not is_initialised(engine):
            raise StoreEmpty("the store is empty: nothing to back up (run `dxplan init`)")
        snapshots = Snapshots(settings.data_dir / "operational")
        with tempfile.TemporaryDirectory(prefix=".dxplan-backup-", dir=target.parent) as tmp:
            for attempt in range(1, ATTEMPTS + 1):
                folder = Path(tmp) / str(attempt)
                shutil.rmtree(Path(tmp) / str(attempt - 1), ignore_errors=True)
                try:
                    manifest, files = _take(settings, engine, snapshots, folder)
                except FileNotFoundError:
                    continue  # a snapshot file was collected under us: copy a newer one
                if manifest.operational_synced or attempt == ATTEMPTS:
                    break
            else:
                raise BackupError("the operational store changed too fast to copy; try again")
            archive.write(target, manifest, files)
    finally:
        engine.dispose()
    counts = {name: dump.rows for name, dump in manifest.tables.items()}
    return Summary(
        counts, manifest.alembic_revision, manifest.operational_version, manifest.operational_synced
    )


def _take(
    settings: Settings, engine: Engine, snapshots: Snapshots, folder: Path
) -> tuple[Manifest, dict[str, Path]]:
    synced_before, current_before = snapshots.synced(), _current_name(snapshots)
    snapshot = snapshots.current()
    files = _copy_snapshot(snapshots, snapshot, folder)
    revision, tables = _dump_store(settings, engine, folder)
    unchanged = _current_name(snapshots) == current_before and snapshots.synced() == synced_before
    synced = snapshot.version == 0 or (unchanged and synced_before == snapshot.version)
    for dump in tables.values():
        files[dump.member] = folder / dump.member
    manifest = Manifest(
        dxplan_version=dxplan.__version__,
        alembic_revision=revision,
        created_at=datetime.now(UTC).isoformat(),
        source=engine.url.get_backend_name(),
        tables=tables,
        operational_version=snapshot.version,
        operational_synced=synced,
        members={name: archive.sha256_file(path) for name, path in files.items()},
    )
    return manifest, files


def _current_name(snapshots: Snapshots) -> str:
    try:
        return (snapshots.root / "CURRENT").read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _copy_snapshot(snapshots: Snapshots, snapshot: Snapshot, folder: Path) -> dict[str, Path]:
    """The files of one snapshot, linked (or copied) into `folder`, by member name."""
    files: dict[str, Path] = {}
    if snapshot.version == 0:
        return files
    name = f"manifests/{snapshot.version:06d}.json"
    written = {name: snapshot.to_json(), "CURRENT": name + "\n"}
    for relative, content in written.items():
        path = folder / "operational" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        files[f"operational/{relative}"] = path
    for relative in sorted(snapshot.files()):
        path = folder / "operational" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(snapshots.path(relative), path)  # instant, and immune to a later unlink
        except OSError as error:
            if isinstance(error, FileNotFoundError):
                raise
            shutil.copyfile(snapshots.path(relative), path)
        files[f"operational/{relative}"] = path
    return files


def _dump_store(
    settings: Settings, engine: Engine, folder: Path
) -> tuple[str, dict[str, TableDump]]:
    (folder / "store").mkdir(parents=True, exist_ok=True)
    if engine.url.get_backend_name() == "sqlite":
        copy = folder / "snapshot.sqlite3"
        with (
            closing(sqlite3.connect(str(engine.url.database), timeout=30)) as source,
            closing(sqlite3.connect(copy)) as destination,
        ):
            source.backup(destination)  # all pages in one step: one read transaction
        frozen = create_engine(f"sqlite:///{copy}")
        try:
            with frozen.connect() as conn:
                return _dump_tables(conn, folder)
        finally:
            frozen.dispose()
            copy.unlink()
    with engine.connect() as conn:
        conn = conn.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True, postgresql_deferrable=True
        )
        with conn.begin():
            return _dump_tables(conn, folder)


def _dump_tables(conn: Connection, folder: Path) -> tuple[str, dict[str, TableDump]]:
    revision = str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())
    head = _scripts().get_current_head()
    if revision != head:
        raise BackupError(f"the store's schema is {revision}, not {head}: run `dxplan init` first")
    tables: dict[str, TableDump] = {}
    for table in metadata.sorted_tables:
        member = f"store/{table.name}.jsonl"
        count = 0
        query = select(table).order_by(*table.primary_key.columns)
        with (folder / member).open("wb") as out:
            for row in conn.execution_options(yield_per=BATCH).execute(query):
                out.write(archive.encode_row(list(row)))
                count += 1
        tables[table.name] = TableDump(
            member,
            count,
            [c.name for c in table.columns],
            [c.name for c in table.columns if _is_time(c.type)],
        )
    return revision, tables


def _is_time(kind: Any) -> bool:
    impl = getattr(kind, "impl", kind)
    return isinstance(impl, DateTime)


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def _config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


# --- restore -------------------------------------------------------------------------


def restore(settings: Settings, source: Path) -> Summary:
    """Restore `source` into the settings' empty data folder and empty database.

    The files (and the embedded database) are written into a folder beside the data
    folder, renamed into place at the end: a restore killed midway leaves no half
    store where dxplan looks, and the next restore starts afresh.
    """
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    folder = settings.data_dir
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} is not empty: restore into a new or empty data folder")
    staging = folder.with_name(f".{folder.name}.restoring")
    shutil.rmtree(staging, ignore_errors=True)  # what a killed restore left
    embedded = not settings.database_url
    target = settings.model_copy(update={"data_dir": staging}) if embedded else settings
    engine = create_db_engine(target.database)
    try:
        with archive.opened(source) as (tar, manifest):
            scripts = _scripts()
            known = {script.revision for script in scripts.walk_revisions()}
            if manifest.alembic_revision not in known:
                raise BackupError(
                    f"{source}: the backup's schema ({manifest.alembic_revision}, dxplan "
                    f"{manifest.dxplan_version}) is newer than this dxplan "
                    f"({dxplan.__version__}): restore it with a newer dxplan"
                )
            _refuse_non_empty(engine, settings)
            staging.mkdir(parents=True)
            try:
                _load(engine, tar, manifest)
                _place_operational(tar, manifest, staging / "operational")
            except BaseException:
                _undo(engine, staging)
                raise
    finally:
        engine.dispose()
    if folder.exists():
        folder.rmdir()  # empty, as checked above
    staging.rename(folder)
    counts = {name: dump.rows for name, dump in manifest.tables.items()}
    return Summary(
        counts, manifest.alembic_revision, manifest.operational_version, manifest.operational_synced
    )


def _refuse_non_empty(engine: Engine, settings: Settings) -> None:
    url = engine.url
    if url.get_backend_name() == "sqlite" and not Path(str(url.database)).exists():
        return
    found = inspect(engine).get_table_names()
    if found:
        raise BackupError(
            f"the database {settings.database_display} is not empty ({len(found)} tables, "
            f"e.g. {sorted(found)[0]}): restore into an empty database"
        )


def _load(engine: Engine, tar: Any, manifest: Manifest) -> None:
    """The archive's rows into a store at the archive's schema, then migrated to head."""
    command.upgrade(_config(engine), manifest.alembic_revision)
    target = MetaData()
    target.reflect(engine)
    unknown = set(manifest.tables) - set(target.tables)
    if unknown:
        raise BackupError(f"the backup holds tables its schema lacks: {sorted(unknown)}")
    with engine.begin() as conn:
        for table in target.sorted_tables:
            dump = manifest.tables.get(table.name)
            if dump is None:
                continue  # alembic_version, or a table the archive's schema did not have
            binary = [c.name for c in table.columns if isinstance(c.type, LargeBinary)]
            rows = _rows(tar, dump, binary)
            ordered = iter(_parents_first(table, rows))
            while batch := list(islice(ordered, BATCH)):
                conn.execute(table.insert(), batch)
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn, target)
    command.upgrade(_config(engine), "head")


def _rows(tar: Any, dump: TableDump, binary: list[str]) -> Iterator[dict[str, Any]]:
    """The rows of a table; `binary`: its columns of bytes, written in base64."""
    times = [dump.columns.index(name) for name in dump.datetimes]
    blobs = [dump.columns.index(name) for name in binary if name in dump.columns]
    for number, line in enumerate(archive.lines(tar, dump.member), start=1):
        try:
            values = archive.decode_row(line, times)
            for index in times:
                if values[index] is not None:
                    # SQLite keeps the wall time only: every stored timestamp is UTC
                    values[index] = values[index].astimezone(UTC)
            for index in blobs:
                if values[index] is not None:
                    values[index] = base64.b64decode(values[index], validate=True)
            row = dict(zip(dump.columns, values, strict=True))
        except (ValueError, TypeError, AttributeError, IndexError) as error:
            raise BackupError(f"{dump.member}:{number}: not a row of the table ({error})") from None
        yield row


def _parents_first(table: Table, rows: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """Rows of a table referring to itself (units → parent) in an order the keys accept."""
    links = [
        (fk.parent.name, fk.column.name) for fk in table.foreign_keys if fk.column.table is table
    ]
    if not links:
        return rows
    waiting, ordered, known = list(rows), [], set()
    while waiting:
        ready = [
            row
            for row in waiting
            if all(row[child] is None or row[child] in known for child, _ in links)
        ]
        if not ready:
            raise BackupError(f"{table.name}: rows refer to rows the backup does not hold")
        ordered += ready
        known |= {row[parent] for row in ready for _, parent in links}
        chosen = {id(row) for row in ready}
        waiting = [row for row in waiting if id(row) not in chosen]
    return ordered


def _reset_sequences(conn: Connection, target: MetaData) -> None:
    """Point each id sequence past the restored rows (explicit ids do not advance it)."""
    for table in target.sorted_tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            highest = conn.execute(select(func.max(column))).scalar() if sequence else None
            if highest is not None:
                conn.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": highest})


def _place_operational(tar: Any, manifest: Manifest, root: Path) -> None:
    for name in manifest.members:
        if name.startswith("operational/"):
            archive.extract(tar, name, root / name.removeprefix("operational/"))
    if manifest.operational_version and manifest.operational_synced:
        Snapshots(root).mark_synced(manifest.operational_version)


def _undo(engine: Engine, staging: Path) -> None:
    """Leave the target as it was: drop the tables made, remove the staging folder."""
    with contextlib.suppress(SQLAlchemyError):  # the first error is the one to report
        found = MetaData()
        found.reflect(engine)
        found.drop_all(engine)
    engine.dispose()
    shutil.rmtree(staging, ignore_errors=True)
