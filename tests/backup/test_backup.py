"""`dxplan backup` and `dxplan restore`: a restored store answers every export identically.

A store with one of every kind of record (tests/backup/world.py) is backed up on SQLite
and on PostgreSQL, restored into an empty folder (and an empty database), and the five
exports of `world.EXPORTS` are compared byte for byte. A damaged archive, a non-empty
target and a backup of a newer schema are refused with nothing changed.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, inspect, select

from dxplan.backup import BackupError, backup, restore
from dxplan.settings import Settings
from dxplan.store import create_db_engine
from dxplan.store.tables import measure_values, units
from dxplan.workspace import Workspace
from tests.backup import world


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def source(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, dict[str, str], Path]]:
    """A filled store on each database, its exports, and a backup of it."""
    folder = tmp_path_factory.mktemp(f"source-{request.param}")
    with world.postgres_schema() if request.param == "postgresql" else nullcontext() as url:
        settings = Settings(data_dir=folder / "data", database_url=url)
        world.build(settings)
        archive = folder / "backup.tar.gz"
        backup(settings, archive)
        yield settings, world.exports(world.environment(settings)), archive


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("sqlite", "sqlite"),
        pytest.param("postgresql", "sqlite", marks=pytest.mark.postgres),
        pytest.param("postgresql", "postgresql", marks=pytest.mark.postgres),
    ],
    indirect=["source"],
)
def test_a_restored_store_answers_every_export_identically(source, target, tmp_path):
    _, before, archive = source
    with world.postgres_schema() if target == "postgresql" else nullcontext() as url:
        restored = Settings(data_dir=tmp_path / "restored", database_url=url)
        summary = restore(restored, archive)
        after = world.exports(world.environment(restored))
    assert summary.counts["users"] == 5 and summary.counts["submissions"] == 3
    assert summary.counts["focal_points"] == 3
    assert summary.operational_synced and summary.operational_version == 2
    assert after.keys() == before.keys()
    for command, output in before.items():
        assert after[command] == output, command
    assert before["users list"].count("reporter") == 3
    assert len(before["measures export --format csv"].splitlines()) > 1000


def test_the_archive_names_version_revision_counts_and_checksums(source):
    settings, _, archive = source
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        names = set(tar.getnames())
    assert manifest["dxplan_version"] and manifest["alembic_revision"]
    assert manifest["source"] == settings.database.split("+")[0].split(":")[0]
    assert set(manifest["members"]) == names - {"manifest.json"}
    assert (
        manifest["tables"]["units"]["rows"] == 124
    )  # the city, 103 communes and wards, 20 agencies
    assert "operational/CURRENT" in names
    assert all(len(digest) == 64 for digest in manifest["members"].values())
    assert archive.stat().st_mode & 0o777 == 0o600  # password and token hashes inside


def _rewrite(archive: Path, target: Path, change) -> None:
    """Copy `archive` to `target`, passing each member's bytes through change(name, data)."""
    with tarfile.open(archive) as old, tarfile.open(target, "w:gz") as new:
        for info in old:
            data = old.extractfile(info).read()  # type: ignore[union-attr]
            data = change(info.name, data)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))


def _manifest_change(**fields):
    def change(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), **fields}).encode()

    return change


def _flip_a_value(name: str, data: bytes) -> bytes:
    return data.replace(b"400.0", b"900.0", 1) if name == "store/submissions.jsonl" else data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_flip_a_value, "store/submissions.jsonl is damaged"),
        (_manifest_change(alembic_revision="9999"), "newer than this dxplan"),
        (_manifest_change(format="something-else"), "not a dxplan backup"),
        (_manifest_change(members={"../../etc/passwd": "0" * 64}), "outside the backup"),
    ],
    ids=["checksum", "newer-schema", "not-a-backup", "escaping-name"],
)
def test_a_bad_archive_is_refused_and_nothing_is_written(source, tmp_path, change, message):
    _, _, archive = source
    bad = tmp_path / "bad.tar.gz"
    _rewrite(archive, bad, change)
    target = Settings(data_dir=tmp_path / "restored")
    with pytest.raises(BackupError, match=message):
        restore(target, bad)
    assert not target.data_dir.exists()


def test_a_forged_row_with_its_checksum_is_refused_and_the_restore_undone(source, tmp_path):
    """A member edited and its checksum updated passes the check; its row still cannot enter."""
    _, _, archive = source
    forged = b'["not", "a", "unit"]\n'

    def change(name: str, data: bytes) -> bytes:
        if name == "store/user_units.jsonl":
            return forged * (data.count(b"\n"))
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["members"]["store/user_units.jsonl"] = hashlib.sha256(
                forged * manifest["tables"]["user_units"]["rows"]
            ).hexdigest()
            return json.dumps(manifest).encode()
        return data

    bad = tmp_path / "forged.tar.gz"
    _rewrite(archive, bad, change)
    settings, _, _ = source
    # restored into the source's kind of database: on PostgreSQL the tables made are dropped
    with nullcontext() if settings.embedded else world.postgres_schema() as url:
        target = Settings(data_dir=tmp_path / "restored", database_url=url)
        with pytest.raises(BackupError, match=r"store/user_units.jsonl:1: not a row of the table"):
            restore(target, bad)
        assert not target.data_dir.exists()
        if url:
            engine = create_db_engine(url)
            assert inspect(engine).get_table_names() == []
            engine.dispose()


def test_a_truncated_archive_is_refused(source, tmp_path):
    _, _, archive = source
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    target = Settings(data_dir=tmp_path / "restored")
    with pytest.raises(BackupError, match="not a readable backup archive"):
        restore(target, cut)
    assert not target.data_dir.exists()


def test_a_non_empty_folder_or_database_is_refused(source, tmp_path, cli):
    _, _, archive = source
    folder = tmp_path / "restored"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = cli("--data-dir", str(folder), "restore", str(archive))
    assert result.exit_code == 2
    assert "is not empty: restore into a new or empty data folder" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    sqlite = Settings(data_dir=tmp_path / "other", database_url=f"sqlite:///{tmp_path}/x.db")
    create_db_engine(sqlite.database).connect().close()  # an empty file is an empty database
    restore(sqlite, archive)
    again = Settings(data_dir=tmp_path / "third", database_url=sqlite.database)
    with pytest.raises(BackupError, match=r"is not empty .* restore into an empty database"):
        restore(again, archive)
    assert not again.data_dir.exists()


def test_the_cli_refuses_to_overwrite_a_file(source, cli, tmp_path):
    settings, _, archive = source
    size = archive.stat().st_size
    result = cli("--data-dir", str(settings.data_dir), "backup", str(archive))
    assert result.exit_code == 2 and "exists: choose a new file name" in result.stderr
    assert archive.stat().st_size == size


def test_a_backup_taken_while_values_are_written_is_one_instant(tmp_path, database_url):
    """A writer adds 7 figures per transaction; every backup holds a multiple of 7."""
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
    engine = create_db_engine(settings.database)
    with engine.connect() as conn:
        codes = list(conn.execute(select(units.c.code).limit(7)).scalars())
    stop, written = threading.Event(), [0]

    def write() -> None:
        period = 0
        while not stop.is_set():
            period += 1
            rows = [
                {
                    "measure_code": "load_test",
                    "unit_code": code,
                    "period": f"{1000 + period}",
                    "value": float(period),
                    "source": "engine",
                    "version": 1,
                    "recorded_by": "writer",
                    "recorded_at": datetime.now(UTC),
                }
                for code in codes
            ]
            with engine.begin() as conn:
                conn.execute(insert(measure_values), rows)
            written[0] = period
            stop.wait(0.002)  # leave the backup a share of two busy cores

    writer = threading.Thread(target=write)
    writer.start()
    try:
        counts = []
        for attempt in range(2):
            archive = tmp_path / f"backup-{attempt}.tar.gz"
            low = written[0]
            backup(settings, archive)
            high = written[0]
            restored = Settings(data_dir=tmp_path / f"restored-{attempt}")
            restore(restored, archive)
            check = create_db_engine(restored.database)
            with check.connect() as conn:
                rows = conn.execute(
                    select(func.count()).where(measure_values.c.recorded_by == "writer")
                ).scalar_one()
            check.dispose()
            counts.append(rows)
            assert rows % 7 == 0, rows
            assert 7 * low <= rows <= 7 * (high + 1)
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    assert counts[-1] > 0  # the writer was writing while the backups ran


@pytest.mark.parametrize("source", ["sqlite"], indirect=True)  # operational: the same on both
def test_figures_not_in_step_with_the_dossiers_are_flagged_and_put_right(source, tmp_path):
    """An import killed between its snapshot and its figures: the archive says so."""
    settings, _, _ = source
    copied = Settings(data_dir=tmp_path / "copied")
    shutil.copytree(settings.data_dir, copied.data_dir)
    (copied.data_dir / "operational" / "SYNCED").write_text("1\n")  # one snapshot behind
    summary = backup(copied, tmp_path / "behind.tar.gz")
    assert not summary.operational_synced
    restored = Settings(data_dir=tmp_path / "restored")
    assert not restore(restored, tmp_path / "behind.tar.gz").operational_synced
    assert not (restored.data_dir / "operational" / "SYNCED").exists()
    env = {"DXPLAN_DATA_DIR": str(restored.data_dir), "DXPLAN_DATABASE_URL": ""}
    done = world.run(env, "compute")
    assert done.returncode == 0, done.stderr.decode()
    assert (restored.data_dir / "operational" / "SYNCED").read_text() == "3\n"  # compute's own


def test_nothing_to_back_up_before_init_exits_1(cli, tmp_path):
    result = cli("backup", str(tmp_path / "backup.tar.gz"))
    assert result.exit_code == 1
    assert "the store is empty: nothing to back up (run `dxplan init`)" in result.stderr
    assert not (tmp_path / "backup.tar.gz").exists()
