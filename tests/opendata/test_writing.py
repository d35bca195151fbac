"""`dxplan opendata export DIR` writes a whole package or changes nothing.

A disk that fills up half-way, a folder holding someone's files, a path that is a
file: the folder is left as it was, with no staging folder beside it.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dxplan.opendata.package import DESCRIPTOR, OpenDataError, Package, write_package
from dxplan.opendata.service import open_data
from dxplan.settings import Settings
from dxplan.workspace import Workspace


@pytest.fixture
def package(make_settings: Callable[..., Settings]) -> Iterator[Package]:
    with Workspace(make_settings()) as workspace:
        workspace.initialise(actor="test")
        found = open_data(workspace)
        assert found is not None
        yield found


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under the parent of `folder`, by relative path (leftovers included)."""
    root = folder.parent
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_new_folder_then_a_replaced_package(package: Package, tmp_path: Path) -> None:
    folder = tmp_path / "out" / "open-data"
    write_package(package, folder)
    first = snapshot(folder)
    assert set(first) == {f"open-data/{name}" for name in package.all_files()}
    (folder / "values.csv").write_text("stale", "utf-8")
    write_package(package, folder)  # an earlier package is replaced whole
    assert snapshot(folder) == first


def test_an_empty_folder_is_filled(package: Package, tmp_path: Path) -> None:
    folder = tmp_path / "exports" / "open-data"
    folder.mkdir(parents=True)
    write_package(package, folder)
    assert (folder / DESCRIPTOR).read_bytes() == package.datapackage
    assert sorted(p.name for p in folder.parent.iterdir()) == ["open-data"]


def test_a_failure_half_way_leaves_the_earlier_package(
    package: Package, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "exports" / "open-data"
    write_package(package, folder)
    before = snapshot(folder)
    opened = Path.open

    def full_disk(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "targets.csv":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_package(package, folder)
    monkeypatch.undo()
    assert snapshot(folder) == before  # the old package, and nothing beside it


def test_a_failure_at_the_swap_puts_the_earlier_package_back(
    package: Package, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "exports" / "open-data"
    write_package(package, folder)
    before = snapshot(folder)
    renamed = Path.rename

    def refuse_new(self: Path, target: Any) -> Any:
        if self.name.endswith(".new"):
            raise OSError(errno.EIO, "Input/output error", str(self))
        return renamed(self, target)

    monkeypatch.setattr(Path, "rename", refuse_new)
    with pytest.raises(OSError, match="Input/output"):
        write_package(package, folder)
    monkeypatch.undo()
    assert snapshot(folder) == before


def test_a_folder_with_other_files_is_refused(package: Package, tmp_path: Path) -> None:
    folder = tmp_path / "exports" / "reports"
    folder.mkdir(parents=True)
    (folder / "budget.xlsx").write_bytes(b"someone's work")
    (folder / "values.csv").write_text("someone's table", "utf-8")
    before = snapshot(folder)
    with pytest.raises(OpenDataError, match=r"not an open-data package \(budget.xlsx\)"):
        write_package(package, folder)
    assert snapshot(folder) == before


def test_the_command_refuses_clearly_and_changes_nothing(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    not_yet = cli("opendata", "export", str(tmp_path / "early"))
    assert not_yet.exit_code == 1
    assert "run `dxplan init` first" in not_yet.stderr
    assert not (tmp_path / "early").exists()

    assert cli("init").exit_code == 0
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me", "utf-8")
    result = cli("opendata", "export", str(a_file))
    assert result.exit_code == 2
    assert "is a file" in result.stderr
    assert a_file.read_text("utf-8") == "keep me"

    result = cli("opendata", "export", str(a_file / "below"))
    assert result.exit_code == 2
    assert "cannot create" in result.stderr

    folder = tmp_path / "home"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"x")
    result = cli("opendata", "export", str(folder))
    assert result.exit_code == 2
    assert "thesis.docx" in result.stderr and "choose a new or empty folder" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["thesis.docx"]

    good = cli("opendata", "export", str(tmp_path / "exports" / "open-data"))
    assert good.exit_code == 0, good.output
    assert "rows: pillars 4" in good.stdout
