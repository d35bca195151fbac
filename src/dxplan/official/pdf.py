"""DOCX to PDF with LibreOffice headless (Debian's libreoffice-writer-nogui).

Each conversion runs `soffice` with a profile folder of its own (two conversions at
once would otherwise fight over one profile's lock) inside a temporary folder that is
removed afterwards, and is stopped after a timeout. A missing soffice, a timeout or a
conversion without output is a `ConversionError` that says which, never a crash.
A `Converter` runs at most `parallel` conversions at once (each LibreOffice takes a
core and a few hundred megabytes); others wait for a slot as long as a conversion may
take, then are refused.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path


class ConversionError(RuntimeError):
    """The PDF could not be made: the reason, for the person who asked."""


class Converter:
    """PDF conversions with one LibreOffice command, a timeout and a number of slots."""

    def __init__(self, soffice: str = "soffice", timeout: float = 120.0, parallel: int = 2):
        self.soffice, self.timeout, self.parallel = soffice, timeout, parallel
        self._slots = threading.BoundedSemaphore(parallel)

    def convert(self, document: bytes) -> bytes:
        if not self._slots.acquire(timeout=self.timeout):
            raise ConversionError(
                f"cannot make a PDF: {self.parallel} conversions are running; try again shortly"
            )
        try:
            return docx_to_pdf(document, soffice=self.soffice, timeout=self.timeout)
        finally:
            self._slots.release()


def docx_to_pdf(document: bytes, *, soffice: str = "soffice", timeout: float = 120.0) -> bytes:
    """Convert a .docx file's bytes to a PDF's bytes."""
    program = shutil.which(soffice)
    if program is None:
        raise ConversionError(
            f"cannot make a PDF: {soffice!r} (LibreOffice) is not installed; "
            "install Debian's libreoffice-writer-nogui, or download the DOCX"
        )
    with tempfile.TemporaryDirectory(prefix="dxplan-pdf-") as folder:
        work = Path(folder)
        source = work / "report.docx"
        source.write_bytes(document)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        # a session of its own: on a timeout the whole group goes (soffice starts
        # oosplash, which starts soffice.bin; killing the first alone leaves the others)
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=work,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionError(
                f"cannot make a PDF: LibreOffice took longer than {timeout:g} s"
            ) from None
        result = work / "out" / "report.pdf"
        if process.returncode != 0 or not result.exists():
            detail = (stderr or stdout).decode("utf-8", "replace").strip()
            raise ConversionError(
                f"cannot make a PDF: LibreOffice exited with {process.returncode}"
                + (f": {detail[:300]}" if detail else "")
            )
        return result.read_bytes()
