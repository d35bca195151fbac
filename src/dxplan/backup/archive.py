"""The backup archive: one tar file whose manifest names every member and its SHA-256.

Layout (format 1):

    manifest.json                 what the archive holds (this module's `Manifest`)
    store/<table>.jsonl           one JSON array per row, columns as the manifest lists
    operational/...               the operational store's files of one snapshot

The store's rows are written in a portable form (JSON, timestamps in ISO 8601 with
their zone), so an archive of either database restores into SQLite or PostgreSQL.
Nothing in an archive is trusted before `verify` has checked every member against the
manifest: a damaged or edited archive is refused before anything is written.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final

FORMAT: Final = "dxplan-backup"
FORMAT_VERSION: Final = 1
MANIFEST: Final = "manifest.json"
CHUNK: Final = 1 << 20
# members are ours: a name outside these folders (or climbing out with "..") is refused
_MEMBER = re.compile(r"^(store/[a-z0-9_]+\.jsonl|operational/[A-Za-z0-9_./-]+)$")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what and where."""


class StoreEmpty(BackupError):
    """There is no store to back up yet."""


@dataclass(frozen=True)
class TableDump:
    member: str
    rows: int
    columns: list[str]
    datetimes: list[str]  # columns holding ISO 8601 timestamps


@dataclass(frozen=True)
class Manifest:
    dxplan_version: str
    alembic_revision: str
    created_at: str
    source: str  # the database the rows were read from: sqlite | postgresql
    tables: dict[str, TableDump]
    operational_version: int  # 0: no operational snapshot yet
    operational_synced: bool  # the figures in the tables are those of that snapshot
    members: dict[str, str] = field(default_factory=dict)  # name -> SHA-256
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes, where: str) -> Manifest:
        try:
            data: dict[str, Any] = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError("not a dxplan backup")
            if data.get("format_version") != FORMAT_VERSION:
                raise ValueError(f"archive format {data.get('format_version')} is not known")
            data["tables"] = {k: TableDump(**v) for k, v in data["tables"].items()}
            manifest = cls(**data)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise BackupError(f"{where}: the manifest is unusable: {error}") from None
        for name in manifest.members:
            if not _MEMBER.match(name) or ".." in name.split("/"):
                raise BackupError(
                    f"{where}: the manifest names a member outside the backup: {name}"
                )
        for table, dump in manifest.tables.items():
            if not (
                isinstance(dump.rows, int)
                and isinstance(dump.columns, list)
                and all(isinstance(c, str) for c in dump.columns)
                and set(dump.datetimes) <= set(dump.columns)
                and dump.member in manifest.members
            ):
                raise BackupError(f"{where}: the manifest's entry for {table} is unusable")
        return manifest


def encode_row(values: list[Any]) -> bytes:
    """One row as a JSON line; ASCII escapes keep odd strings (lone surrogates) intact."""
    return json.dumps(values, default=_encode_value, separators=(",", ":")).encode() + b"\n"


def _encode_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):  # a file's content (evidence): base64
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot store {type(value).__name__} in a backup")


def decode_row(line: bytes, datetimes: list[int]) -> list[Any]:
    values: list[Any] = json.loads(line)
    for index in datetimes:
        if values[index] is not None:
            values[index] = datetime.fromisoformat(values[index])
    return values


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write(target: Path, manifest: Manifest, files: dict[str, Path]) -> None:
    """Write the archive next to `target`, then rename it: a killed backup leaves no file."""
    partial = target.with_name(target.name + ".partial")
    # password and token hashes are inside: readable by the owner only, from the start
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    try:
        with (
            os.fdopen(descriptor, "wb") as handle,
            tarfile.open(fileobj=handle, mode="w:gz", compresslevel=6) as tar,
        ):
            _add_bytes(tar, MANIFEST, manifest.to_json())
            for name in sorted(files):
                tar.add(files[name], arcname=name, recursive=False, filter=_anonymous)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """No owner names or ids of the machine that took the backup."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


_DAMAGED = (tarfile.TarError, EOFError, zlib.error, OSError)


@contextmanager
def opened(path: Path) -> Iterator[tuple[tarfile.TarFile, Manifest]]:
    """The archive and its manifest, after every member was checked against it."""
    where = str(path)
    try:
        with tarfile.open(path, "r:*") as tar:
            manifest = _verify(tar, where)
            yield tar, manifest
    except _DAMAGED as error:
        reason = "not a tar.gz file" if isinstance(error, tarfile.ReadError) else str(error)
        raise BackupError(f"{where}: not a readable backup archive ({reason})") from None


def _verify(tar: tarfile.TarFile, where: str) -> Manifest:
    members = {}
    for info in tar:
        if not info.isfile():
            raise BackupError(f"{where}: unexpected entry {info.name!r} (not a file)")
        if info.name in members:
            raise BackupError(f"{where}: {info.name} appears twice")
        members[info.name] = info
    if MANIFEST not in members:
        raise BackupError(f"{where}: not a dxplan backup (no {MANIFEST})")
    manifest = Manifest.from_json(_read(tar, members.pop(MANIFEST)), where)
    missing = set(manifest.members) - set(members)
    extra = set(members) - set(manifest.members)
    if missing or extra:
        names = ", ".join(sorted(missing | extra)[:5])
        raise BackupError(f"{where}: members and manifest disagree ({names})")
    for name, expected in manifest.members.items():
        digest, lines = hashlib.sha256(), 0
        with _member(tar, members[name]) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                lines += chunk.count(b"\n")
        if digest.hexdigest() != expected:
            raise BackupError(f"{where}: {name} is damaged (its SHA-256 does not match)")
        for table, dump in manifest.tables.items():
            if dump.member == name and dump.rows != lines:
                raise BackupError(f"{where}: {table} holds {lines} rows, manifest says {dump.rows}")
    return manifest


def _read(tar: tarfile.TarFile, info: tarfile.TarInfo) -> bytes:
    with _member(tar, info) as handle:
        return handle.read()


@contextmanager
def _member(tar: tarfile.TarFile, info: tarfile.TarInfo) -> Iterator[IO[bytes]]:
    handle = tar.extractfile(info)
    if handle is None:
        raise BackupError(f"{info.name} is not a file")
    with handle:
        yield handle


def lines(tar: tarfile.TarFile, name: str) -> Iterator[bytes]:
    """The lines of one member (already verified)."""
    with _member(tar, tar.getmember(name)) as handle:
        yield from handle


def extract(tar: tarfile.TarFile, name: str, destination: Path) -> None:
    """Copy one member to `destination` (its folder is created)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with _member(tar, tar.getmember(name)) as source, destination.open("wb") as out:
        while chunk := source.read(CHUNK):
            out.write(chunk)
