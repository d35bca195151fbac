"""Backups taken while an import writes: each restores to a store the import can finish.

The two stores are read a moment apart, so a backup can fall between an import's
snapshot and its figures. Either way the archive must restore, its figures must be
those of before or after the import when it says they are in step, and running the
same import on the restored store must give exactly the store a clean import gives.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from dxplan.backup import backup, restore
from dxplan.settings import Settings
from tests.backup import world
from tests.faults.conftest import Template
from tests.faults.harness import copy_store

FIGURES = "measures export --format csv"


def test_backups_during_an_import_restore_to_a_store_the_import_finishes(
    template: Template, tmp_path: Path
) -> None:
    args = ("import", "dossiers", *map(str, template.feed))
    clean = copy_store(template.data, tmp_path / "clean")
    before = world.exports(clean)
    assert world.run(clean, *args).returncode == 0
    after = world.exports(clean)

    env = copy_store(template.data, tmp_path / "busy")
    importing = subprocess.Popen(
        [world.DXPLAN, *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    source = Settings(data_dir=Path(env["DXPLAN_DATA_DIR"]))
    archives: list[tuple[Path, bool]] = []
    while importing.poll() is None and len(archives) < 2:
        archive = tmp_path / f"backup-{len(archives)}.tar.gz"
        summary = backup(source, archive)
        archives.append((archive, importing.poll() is None))
        assert summary.counts["users"] == 6
    assert importing.wait() == 0
    assert any(during for _, during in archives), "the import ended before a backup began"
    for number, (archive, _) in enumerate(archives):
        restored = Settings(data_dir=tmp_path / f"restored-{number}")
        summary = restore(restored, archive)
        print(f"[faults] backup {number} during an import: synced {summary.operational_synced}")
        renv = {"DXPLAN_DATA_DIR": str(restored.data_dir), "DXPLAN_DATABASE_URL": ""}
        if summary.operational_synced:
            assert world.exports(renv)[FIGURES] in (before[FIGURES], after[FIGURES])
        done = world.run(renv, *args)
        assert done.returncode == 0, done.stderr.decode()
        assert world.exports(renv) == after, (
            f"backup {number} (synced: {summary.operational_synced})"
        )
