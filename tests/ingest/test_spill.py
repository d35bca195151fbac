"""A reader's DuckDB connection spills past its memory limit beside the store, in a folder
of its own that goes when the connection closes, never into the working folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from dxplan.operational import SPILL, OperationalStore


def test_a_reader_spills_beside_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started_in = tmp_path / "elsewhere"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    store = OperationalStore(tmp_path / "operational", memory_limit="20MB")
    left = tmp_path / "operational" / SPILL / "killed-two-days-ago"
    left.mkdir(parents=True)
    two_days_ago = time.time() - 2 * 86_400
    os.utime(left, (two_days_ago, two_days_ago))
    con, _ = store.connect()
    other, _ = store.connect()
    # 1,000,003 groups of 20 million rows do not fit in 20 MB: DuckDB spills
    groups = con.execute(
        "SELECT count(*) FROM (SELECT range % 1000003 AS g, count(*) FROM range(20000000) "
        "GROUP BY g)"
    ).fetchone()
    assert groups == (1_000_003,)
    folders = list((tmp_path / "operational" / SPILL).iterdir())
    assert len(folders) == 1 and folders[0].name != left.name  # the left-over one swept
    assert not (started_in / ".tmp").exists()
    con.close()
    other.close()
    assert list((tmp_path / "operational" / SPILL).iterdir()) == []
