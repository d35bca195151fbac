"""Snapshots of the operational store: immutable Parquet files named by a manifest.

Readers open the manifest that `CURRENT` names and read only the files it lists; the
one writer (holding `.lock`) writes new files, then a new manifest, then swaps
`CURRENT` with an atomic rename. A writer killed at any point leaves `CURRENT` on the
previous snapshot: the store holds exactly the state before. Files no kept manifest
names are removed by the next successful write.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

KEEP_MANIFESTS: Final = 3  # older snapshots stay readable for a reader that just opened one


class StoreBusy(Exception):
    """Another import is writing to the operational store."""


@dataclass(frozen=True)
class CatalogVersion:
    version: int
    file: str
    imported_at: str  # ISO 8601, UTC
    procedures: int


@dataclass(frozen=True)
class Manifest:
    """What one snapshot holds; paths are relative to the store's folder."""

    version: int = 0
    imports: int = 0
    created_at: str = ""
    dossiers: dict[str, str] = field(default_factory=dict)  # month "202507" -> file
    dossier_count: int = 0
    # Dossiers changed since their months were last written: one row per dossier, its
    # current version; a month file's row of a dossier found here is replaced (see
    # `partitions.py`). None: the month files alone hold every dossier.
    dossier_delta: str | None = None
    delta_count: int = 0
    catalogs: tuple[CatalogVersion, ...] = ()
    base: str | None = None  # the engine's own monthly measures per unit
    months: tuple[int, ...] = ()  # the month grid `base` was computed on

    @property
    def catalog(self) -> CatalogVersion | None:
        return self.catalogs[-1] if self.catalogs else None

    def files(self) -> set[str]:
        found = set(self.dossiers.values()) | {c.file for c in self.catalogs}
        for extra in (self.base, self.dossier_delta):
            if extra:
                found.add(extra)
        return found

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data: dict[str, Any] = json.loads(text)
        data["catalogs"] = tuple(CatalogVersion(**c) for c in data.get("catalogs", ()))
        data["months"] = tuple(data.get("months", ()))
        return cls(**data)


class Snapshots:
    """The folder of the operational store and its snapshots."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def _current(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> Manifest:
        """The manifest readers should use (an empty one before the first import)."""
        try:
            name = self._current.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return Manifest()
        return Manifest.from_json((self.root / name).read_text(encoding="utf-8"))

    def path(self, relative: str) -> Path:
        return self.root / relative

    def synced(self) -> int:
        """The snapshot version whose figures are in the value store (0: none yet)."""
        try:
            return int((self.root / "SYNCED").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return 0

    def mark_synced(self, version: int) -> None:
        """Record that the value store now holds the figures of snapshot `version`."""
        _write_atomically(self.root / "SYNCED", f"{version}\n")

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        """The single writer: holds the lock, gives a folder for new files, commits or not."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreBusy("another import is writing to the operational store") from None
            yield Writer(self, self.current())


class Writer:
    """Writes the files of the next snapshot and commits it atomically."""

    def __init__(self, snapshots: Snapshots, base: Manifest) -> None:
        self.snapshots = snapshots
        self.base = base
        self.version = base.version + 1

    def new_file(self, folder: str, stem: str) -> tuple[str, Path]:
        """A fresh relative name and its path for a file of the next snapshot."""
        relative = f"{folder}/{stem}-v{self.version:06d}.parquet"
        path = self.snapshots.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return relative, path

    def commit(self, manifest: Manifest) -> Manifest:
        """Make `manifest` current: durable files first, then one atomic rename."""
        root = self.snapshots.root
        final = replace(manifest, version=self.version, created_at=datetime.now(UTC).isoformat())
        for relative in final.files() - self.base.files():
            _fsync(root / relative)
        name = f"manifests/{self.version:06d}.json"
        _write_atomically(root / name, final.to_json())
        _write_atomically(root / "CURRENT", name + "\n")
        self._collect_garbage()
        return final

    def _collect_garbage(self) -> None:
        root = self.snapshots.root
        manifests = sorted((root / "manifests").glob("*.json"))
        keep = manifests[-KEEP_MANIFESTS:]
        wanted: set[str] = set()
        for path in keep:
            wanted |= Manifest.from_json(path.read_text(encoding="utf-8")).files()
        for path in manifests[:-KEEP_MANIFESTS]:
            path.unlink(missing_ok=True)
        for path in root.rglob("*.parquet"):
            if str(path.relative_to(root)) not in wanted:
                path.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
