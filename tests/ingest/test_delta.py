"""Changed dossiers in a delta beside the month files, folded in once it grows.

Three small imports, worked by hand. The first writes the month files; the second
finishes A, moves B to August (a new received_at) and adds D: all three go to the delta
and no month file is written again; the third adds E, which takes the delta past its
limit of 3 rows, so the months are written again and the delta is gone. After each
import the store reads the same rows, and the figures are the same, as a store that
writes its months on every import (limit 0).
"""

from pathlib import Path

import pytest

from dxplan.ingest.service import compute, import_files, operational_store
from dxplan.operational.columns import STORED
from dxplan.operational.snapshot import Manifest, Writer
from dxplan.settings import Settings
from dxplan.store import values as value_store
from dxplan.workspace import Workspace
from tests.ingest.conftest import HEADER

FIRST = [
    "A,1.000001,31135,online,2025-07-01 08:00:00,2025-07-10 08:00:00,,processing,"
    "false,false,true,false,2025-07-01 08:00:00",
    "B,1.000001,31135,direct,2025-07-02 08:00:00,,,processing,false,false,false,false,"
    "2025-07-02 08:00:00",
    "C,1.000001,31120,online,2025-08-03 08:00:00,,2025-08-04 08:00:00,finished,"
    "false,false,true,true,2025-08-04 08:00:00",
]
SECOND = [
    "A,1.000001,31135,online,2025-07-01 08:00:00,2025-07-10 08:00:00,2025-07-05 08:00:00,"
    "finished,false,false,true,true,2025-07-05 08:00:00",
    "B,1.000001,31135,direct,2025-08-05 08:00:00,,,processing,false,false,false,false,"
    "2025-08-05 08:00:00",
    "D,1.000001,31120,online,2025-08-06 08:00:00,,,processing,false,false,true,false,",
]
THIRD = [
    "E,1.000001,31120,postal,2025-09-01 08:00:00,,,processing,false,false,false,false,",
]


def _write(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / f"{name}.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _rows(workspace: Workspace) -> list[tuple[object, ...]]:
    """Every stored dossier as the readers see it, by id."""
    con, _ = operational_store(workspace).connect()
    try:
        return con.execute(f"SELECT {STORED} FROM dossiers ORDER BY dossier_id").fetchall()
    finally:
        con.close()


def _figures(workspace: Workspace) -> dict[tuple[str, str, str], float | None]:
    with workspace.engine.connect() as conn:
        return {
            (v.measure, v.unit, str(v.period)): v.value
            for v in value_store.latest(conn)
            if v.source == "engine"
        }


def _manifest(workspace: Workspace) -> Manifest:
    return operational_store(workspace).snapshots.current()


@pytest.fixture
def stores(tmp_path: Path):
    """(a store keeping up to 3 changed dossiers apart, one writing its months each time)."""
    opened = []
    for name, limit in (("delta", 3), ("whole", 0)):
        workspace = Workspace(Settings(data_dir=tmp_path / name, dossier_delta_limit=limit))
        workspace.__enter__()
        workspace.initialise()
        opened.append(workspace)
    yield opened
    for workspace in opened:
        workspace.__exit__(None, None, None)


def test_a_delta_then_its_compaction_read_as_months_written_whole(stores, tmp_path):
    delta, whole = stores
    for name, rows in (("first", FIRST), ("second", SECOND), ("third", THIRD)):
        path = _write(tmp_path, name, rows)
        for workspace in stores:
            assert import_files(workspace, "dossiers", [path]).stored == len(rows)
        assert _rows(delta) == _rows(whole), name
        assert _figures(delta) == _figures(whole), name
        if name == "first":  # a first load writes month files
            first = _manifest(delta)
            assert first.dossier_delta is None and sorted(first.dossiers) == ["202507", "202508"]
        if name == "second":  # A, B and D in the delta; no month file written again
            second = _manifest(delta)
            assert second.dossiers == first.dossiers
            assert second.dossier_delta is not None and second.delta_count == 3
            assert second.dossier_count == 4
            # a full compute takes the months plus the delta minus what it replaces:
            # the figures of the months read whole
            for workspace in stores:
                assert compute(workspace, full=True).mode == "full"
            assert _figures(delta) == _figures(whole)
        if name == "third":  # 4 rows > 3: the months are written again, the delta is gone
            third = _manifest(delta)
            assert third.dossier_delta is None and third.delta_count == 0
            assert sorted(third.dossiers) == ["202507", "202508", "202509"]
            assert third.dossiers["202507"] != first.dossiers["202507"]
            assert third.dossier_count == 5
    figures = _figures(delta)
    # by hand: July keeps A (finished on time) only, B moved to August with C and D
    assert figures[("dossiers_received", "31135", "2025-07")] == 1
    assert figures[("dossiers_finished_on_time", "31135", "2025-07")] == 1
    assert figures[("dossiers_received", "31135", "2025-08")] == 1
    assert figures[("dossiers_received", "31120", "2025-08")] == 2
    assert figures[("dossiers_received", "31120", "2025-09")] == 1
    assert figures[("dossiers_received", "92", "2025")] == 5


def test_an_import_killed_before_its_manifest_leaves_the_delta_before(
    stores, tmp_path, monkeypatch
):
    delta, _ = stores
    import_files(delta, "dossiers", [_write(tmp_path, "first", FIRST)])
    import_files(delta, "dossiers", [_write(tmp_path, "second", SECOND)])
    root = operational_store(delta).root
    current = (root / "CURRENT").read_text()
    rows, figures = _rows(delta), _figures(delta)
    files = set(root.rglob("*.parquet"))

    def killed(self: Writer, manifest: Manifest) -> Manifest:
        raise RuntimeError("killed")  # the new delta or months are written, not the manifest

    for name, rows_in in (
        ("update", [SECOND[0].replace("true,true,", "true,false,")]),
        ("compaction", THIRD),
    ):
        with monkeypatch.context() as patched:
            patched.setattr(Writer, "commit", killed)
            with pytest.raises(RuntimeError, match="killed"):
                import_files(delta, "dossiers", [_write(tmp_path, name, rows_in)])
        assert set(root.rglob("*.parquet")) > files, name  # it did write its files
        assert (root / "CURRENT").read_text() == current
        assert _rows(delta) == rows and _figures(delta) == figures
    # the next import goes through and sweeps the files nobody named
    assert import_files(delta, "dossiers", [_write(tmp_path, "again", THIRD)]).stored == 1
    assert _figures(delta)[("dossiers_received", "31120", "2025-09")] == 1
    named = set().union(
        *(Manifest.from_json(p.read_text()).files() for p in (root / "manifests").glob("*.json"))
    )
    assert {str(p.relative_to(root)) for p in root.rglob("*.parquet")} == named


def test_a_manifest_written_before_the_delta_still_reads():
    old = (
        '{"base": null, "catalogs": [], "created_at": "", "dossier_count": 2, '
        '"dossiers": {"202507": "dossiers/202507-v000001.parquet"}, "imports": 1, '
        '"months": [], "version": 1}'
    )
    manifest = Manifest.from_json(old)
    assert manifest.dossier_delta is None and manifest.delta_count == 0
    assert manifest.files() == {"dossiers/202507-v000001.parquet"}
