"""The PDF: the same DOCX converted by LibreOffice headless, then rendered to PNG.

Runs Debian's soffice and poppler-utils (pdftotext, pdftoppm), installed by .ci/run.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dxplan.official.pdf import ConversionError, Converter, docx_to_pdf

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
    reason="LibreOffice (soffice) and poppler-utils are not installed",
)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_report_as_pdf_renders(store: Callable[..., Any], tmp_path: Path) -> None:
    output = tmp_path / "report.pdf"
    result = store("report", "--period", "2025Q3", "--format", "pdf", "--output", str(output))
    assert result.exit_code == 0, result.output
    assert output.read_bytes().startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(output)], capture_output=True, text=True, check=True)
    assert "A4" in info.stdout
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(output), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", "ngày 08 tháng 11 năm 2025"):
        assert line in text
    fonts = subprocess.run(["pdffonts", str(output)], capture_output=True, text=True).stdout
    assert "LiberationSerif" in fonts or "TimesNewRoman" in fonts
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-png", str(output), str(tmp_path / "page")],
        check=True,
    )
    (page,) = tmp_path.glob("page*.png")
    assert page.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_bengali_report_has_a_font_for_its_script(
    store: Callable[..., Any], tmp_path: Path
) -> None:
    output = tmp_path / "report.pdf"
    result = store(
        "report",
        "--period",
        "2025Q3",
        "--language",
        "bn",
        "--format",
        "pdf",
        "--output",
        str(output),
    )
    assert result.exit_code == 0, result.output
    fonts = subprocess.run(["pdffonts", str(output)], capture_output=True, text=True).stdout
    assert "Bengali" in fonts  # not boxes: .ci/run installs fonts-lohit-beng-bengali


def test_a_conversion_past_its_timeout_is_stopped_with_a_clear_error() -> None:
    # no LibreOffice starts in a microsecond: the timeout always strikes
    with pytest.raises(ConversionError, match="took longer than 1e-06 s"):
        docx_to_pdf(b"PK", timeout=0.000001)
    left = subprocess.run(["pgrep", "-f", "dxplan-pdf-"], capture_output=True, text=True)
    assert left.stdout == ""  # soffice and its children are gone


def test_a_missing_soffice_is_a_clear_error() -> None:
    with pytest.raises(ConversionError, match="is not installed"):
        docx_to_pdf(b"", soffice="no-such-soffice-here")


def test_a_conversion_without_a_free_slot_is_refused() -> None:
    converter = Converter(timeout=0.000001, parallel=1)
    converter._slots.acquire()  # another conversion holds the only slot
    try:
        with pytest.raises(ConversionError, match="1 conversions are running"):
            converter.convert(b"PK")
    finally:
        converter._slots.release()
