"""An import killed midway leaves exactly the state before; the next one goes through."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dxplan.demo import generate
from dxplan.operational.snapshot import Writer
from dxplan.units import load_organisation


def _figures(cli):
    result = cli("measures", "export", "--format", "csv")
    assert result.exit_code == 0
    return result.stdout


def test_a_failure_before_the_swap_changes_nothing(
    initialised, dossier_file, monkeypatch, tmp_path
):
    first = dossier_file(
        "A,1.000001,31135,online,2025-07-01 08:00:00,,,processing,false,false,true,true,"
    )
    assert initialised("import", "dossiers", first).exit_code == 0
    before = _figures(initialised)
    root = tmp_path / "data" / "operational"
    current = (root / "CURRENT").read_text()

    def crash(self, manifest):
        raise RuntimeError("killed")  # after the new files are written, before the swap

    second = dossier_file(
        "B,1.000001,31120,online,2025-07-02 08:00:00,,,processing,false,false,true,true,"
    )
    with monkeypatch.context() as patched:
        patched.setattr(Writer, "commit", crash)
        with pytest.raises(RuntimeError, match="killed"):
            initialised("import", "dossiers", second)
    assert (root / "CURRENT").read_text() == current
    assert _figures(initialised) == before
    assert initialised("import", "dossiers", second).exit_code == 0
    assert "dossiers_received,31120,2025-07,1" in _figures(initialised)
    # the files the killed import left behind are gone after the next write
    manifest = (root / (root / "CURRENT").read_text().strip()).read_text()
    for path in root.rglob("*.parquet"):
        relative = str(path.relative_to(root))
        assert relative in manifest or any(
            relative in m.read_text() for m in (root / "manifests").glob("*.json")
        ), relative


@pytest.mark.skipif(
    not shutil.which("dxplan") and not Path(sys.executable).with_name("dxplan").exists(),
    reason="the dxplan command is not installed",
)
def test_killing_a_real_import_process(tmp_path):
    """SIGKILL an import at several moments: the store is always before or after, never between."""
    data = tmp_path / "data"
    command = [str(Path(sys.executable).with_name("dxplan")), "--data-dir", str(data)]
    env = {**os.environ, "DXPLAN_DATA_DIR": str(data)}
    subprocess.run([*command, "init"], check=True, capture_output=True, env=env)
    files = generate(
        tmp_path / "feed", load_organisation("92"), dossiers_per_year=60_000, years=(2025,)
    )
    subprocess.run(
        [*command, "import", "procedures", str(files.procedures)],
        check=True,
        capture_output=True,
        env=env,
    )
    before = subprocess.run(
        [*command, "measures", "export"], check=True, capture_output=True, env=env
    ).stdout
    root = data / "operational"
    current = (root / "CURRENT").read_text()
    for delay in (0.8, 1.6, 2.4):
        process = subprocess.Popen(
            [*command, "import", "dossiers", *map(str, files.dossiers)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if (root / "CURRENT").read_text() != current:
            break  # it finished before the kill: a complete import, checked below
        export = subprocess.run(
            [*command, "measures", "export"], check=True, capture_output=True, env=env
        ).stdout
        assert export == before, f"killed after {delay} s, the figures changed"
    done = subprocess.run(
        [*command, "import", "dossiers", *map(str, files.dossiers)], capture_output=True, env=env
    )
    assert done.returncode == 0, done.stderr
    # whether a killed run got as far as the swap or not, the figures match the dossiers
    full = subprocess.run([*command, "compute", "--full"], capture_output=True, env=env)
    assert full.returncode == 0, full.stderr
    assert b"figures: 0 values updated" in full.stdout
    after = subprocess.run(
        [*command, "measures", "export"], check=True, capture_output=True, env=env
    ).stdout
    assert b"dossiers_received,92,2025," in after
