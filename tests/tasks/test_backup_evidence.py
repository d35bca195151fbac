"""Evidence files live in the store: a backup carries them and a restore gives them back."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from dxplan.demo.tasks import tiny_pdf, tiny_png
from dxplan.settings import Settings
from dxplan.tasks.service import Tasks, Upload
from dxplan.workspace import Workspace


def test_backup_and_restore_keep_evidence_files(cli, tmp_path: Path, monkeypatch):
    assert cli("init").exit_code == 0
    pdf, png = tiny_pdf("Bien ban"), tiny_png(rgb=(1, 2, 3))
    source = Settings(data_dir=tmp_path / "data", as_of=date(2025, 11, 8))
    with Workspace(source) as workspace, workspace.writing() as conn:
        Tasks.of(workspace, conn).update_progress(
            None,
            "T-GOV-05",
            percent=40,
            progress="in_progress",
            files=[Upload("bien-ban.pdf", pdf), Upload("anh.png", png)],
        )
    archive = tmp_path / "backup.tar"
    assert cli("backup", str(archive)).exit_code == 0
    monkeypatch.setenv("DXPLAN_DATA_DIR", str(tmp_path / "restored"))
    result = cli("restore", str(archive))
    assert result.exit_code == 0, result.output
    restored = Settings(data_dir=tmp_path / "restored", as_of=date(2025, 11, 8))
    with Workspace(restored) as workspace, workspace.engine.connect() as conn:
        service = Tasks.of(workspace, conn)
        view = service.get(None, "T-GOV-05")
        files = [service.evidence_file(None, "T-GOV-05", e.id) for e in view.evidence]
    assert view.progress == 40
    assert [(meta.filename, content) for meta, content in files] == [
        ("bien-ban.pdf", pdf),
        ("anh.png", png),
    ]
    assert [meta.sha256 for meta, _ in files] == [
        hashlib.sha256(pdf).hexdigest(),
        hashlib.sha256(png).hexdigest(),
    ]
