"""`dxplan import dossiers` and `dxplan compute` killed (SIGKILL) at random moments.

After each kill the same command runs again; the store must then answer every export
exactly as a copy on which the command ran once, undisturbed. (tests/ingest/test_atomic.py
checks the other half: a killed import leaves the store as it was before.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dxplan.backup import backup
from dxplan.settings import Settings
from tests.backup import world
from tests.faults.conftest import Template
from tests.faults.harness import Tally, copy_store, delays, kill_after, rng, timed

# compute judges as of a day when more reports have fallen due: the recount changes figures
LATER = {"DXPLAN_AS_OF": "2025-12-20"}


def _killed_then_rerun(
    template: Template, tmp_path: Path, name: str, args: tuple[str, ...], extra: dict[str, str]
) -> Tally:
    clean = {**copy_store(template.data, tmp_path / "clean"), **extra}
    untouched = world.exports(clean)
    duration = timed(clean, *args)
    reference = world.exports(clean)
    assert reference != untouched, f"{name} changed nothing: the test would prove nothing"
    tally, draw = Tally(name), rng(name)
    # past the interpreter's start (about a third of the run), up to the end
    for attempt, delay in delays(draw, duration, tally):
        env = {**copy_store(template.data, tmp_path / f"killed-{attempt}"), **extra}
        (tally.killed if kill_after(env, delay, *args) else tally.finished).append(delay)
        again = world.run(env, *args)
        assert again.returncode == 0, again.stderr.decode()
        found = world.exports(env)
        for command, output in reference.items():
            assert found[command] == output, f"{command} after a kill at {delay:.2f} s"
    print(tally.report())
    return tally


def test_an_import_killed_anywhere_then_run_again_equals_a_clean_import(template, tmp_path):
    args = ("import", "dossiers", *map(str, template.feed))
    tally = _killed_then_rerun(template, tmp_path, "dxplan import dossiers", args, {})
    assert tally.killed, "no kill landed while the import ran"


@pytest.mark.parametrize("args", [("compute",), ("compute", "--full")], ids=["daily", "full"])
def test_a_compute_killed_anywhere_then_run_again_equals_a_clean_compute(template, tmp_path, args):
    tally = _killed_then_rerun(template, tmp_path, f"dxplan {' '.join(args)}", args, LATER)
    assert tally.killed, "no kill landed while compute ran"


def test_a_restore_killed_anywhere_then_run_again_equals_the_backed_up_store(template, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    backup(Settings(data_dir=template.data), archive)
    reference = world.exports({"DXPLAN_DATA_DIR": str(template.data), "DXPLAN_DATABASE_URL": ""})
    clean = {"DXPLAN_DATA_DIR": str(tmp_path / "clean"), "DXPLAN_DATABASE_URL": ""}
    duration = timed(clean, "restore", str(archive))
    tally, draw = Tally("dxplan restore"), rng("dxplan restore")
    for attempt, delay in delays(draw, duration, tally):
        env = {"DXPLAN_DATA_DIR": str(tmp_path / f"killed-{attempt}"), "DXPLAN_DATABASE_URL": ""}
        (
            tally.killed if kill_after(env, delay, "restore", str(archive)) else tally.finished
        ).append(delay)
        # a restore killed before its final rename leaves no data folder: run it again
        if not (tmp_path / f"killed-{attempt}").exists():
            again = world.run(env, "restore", str(archive))
            assert again.returncode == 0, again.stderr.decode()
        found = world.exports(env)
        for command, output in reference.items():
            assert found[command] == output, f"{command} after a kill at {delay:.2f} s"
    print(tally.report())
    assert tally.killed, "no kill landed while restore ran"
