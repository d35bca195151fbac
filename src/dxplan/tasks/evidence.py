"""Which evidence files a task takes: PDF, Word, Excel and pictures, known by content.

A file's type is read from its first bytes (and, for Word and Excel, the parts of the
zip), never from its name alone: a `.pdf` that is an executable, or a `.docx` that is
a renamed spreadsheet, is refused. The name's extension must agree with the content.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final

MAX_FILENAME: Final = 200


@dataclass(frozen=True)
class Kind:
    """A kind of evidence file: its media type, the extensions it is saved under, and
    how its content is recognised."""

    media_type: str
    extensions: tuple[str, ...]
    label: str
    matches: Callable[[bytes], bool]


def _zip_with(part: str) -> Callable[[bytes], bool]:
    def matches(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return part in archive.namelist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            return False

    return matches


KINDS: Final = (
    Kind("application/pdf", (".pdf",), "PDF", lambda d: d.startswith(b"%PDF-")),
    Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        "Word (.docx)",
        _zip_with("word/document.xml"),
    ),
    Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
        "Excel (.xlsx)",
        _zip_with("xl/workbook.xml"),
    ),
    Kind("image/png", (".png",), "PNG", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n")),
    Kind("image/jpeg", (".jpg", ".jpeg"), "JPEG", lambda d: d.startswith(b"\xff\xd8\xff")),
)

# what some refused files are, to say so plainly
_EXECUTABLES: Final = {
    b"\x7fELF": "a Linux program (ELF)",
    b"MZ": "a Windows program (PE)",
    b"\xcf\xfa\xed\xfe": "a macOS program (Mach-O)",
    b"#!": "a script",
}

# control characters, folders, and the bidirectional controls that make "x\u202egpj.pdf"
# show as "xfdp.jpg" on the task page
_UNSAFE_NAME: Final = re.compile(
    r"[\x00-\x1f\x7f-\x9f/\\\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


class EvidenceRefused(ValueError):
    """A file that is not taken as evidence; the message says why (nothing is stored)."""


def accepted() -> str:
    """The accepted kinds, for messages: `PDF, Word (.docx), ...`."""
    return ", ".join(k.label for k in KINDS)


def clean_name(filename: str) -> str:
    """The file's own name (no folders), without control characters, at most 200 chars."""
    base = PurePosixPath(filename.replace("\\", "/")).name.strip()
    base = _UNSAFE_NAME.sub("_", base)
    if not base or base in {".", ".."}:
        raise EvidenceRefused("the file has no name")
    if len(base) > MAX_FILENAME:
        path = PurePosixPath(base)
        ext = path.suffix[:20]
        base = path.stem[: MAX_FILENAME - len(ext)] + ext
    return base


def kind_of(filename: str, data: bytes, limit: int) -> Kind:
    """The kind of an evidence file, or EvidenceRefused naming the file and why."""
    name = clean_name(filename)
    if not data:
        raise EvidenceRefused(f"{name}: the file is empty")
    if len(data) > limit:
        raise EvidenceRefused(
            f"{name}: {len(data):,} bytes, larger than the limit of {limit:,} bytes"
        )
    extension = PurePosixPath(name).suffix.lower()
    claimed = next((k for k in KINDS if extension in k.extensions), None)
    if claimed is None:
        raise EvidenceRefused(
            f"{name}: {extension or 'no extension'} is not a kind of evidence file "
            f"dxplan takes ({accepted()})"
        )
    if claimed.matches(data):
        return claimed
    program = next((what for magic, what in _EXECUTABLES.items() if data.startswith(magic)), None)
    if program is not None:
        raise EvidenceRefused(f"{name}: named {extension} but the content is {program}")
    actual = next((k for k in KINDS if k.matches(data)), None)
    if actual is not None:
        raise EvidenceRefused(
            f"{name}: named {extension} but the content is {actual.label}: save it with "
            f"the right extension"
        )
    raise EvidenceRefused(f"{name}: named {extension} but the content is not {claimed.label}")
