"""The dashboard's front-end files from npm, served to be cached for a year.

`make assets` copies them into `static/vendor/` at install time (never a CDN). Pages
link them with `?v=` and the file's hash, so an upgrade changes the address and a
browser may keep a file for a year without asking again. A missing file is not an
error: its tag is left out and the charts fall back to their tables.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Final

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

VENDOR: Final = Path(__file__).parent / "static" / "vendor"
STATIC: Final = Path(__file__).parent / "static"
IMMUTABLE: Final = "public, max-age=31536000, immutable"
# what pages load: the only names the route below serves
FILES: Final = {
    "echarts": "echarts.common.min.js",
    "htmx": "htmx.min.js",
    "bengali": "noto-sans-bengali.css",
}
FONTS: Final = (
    "noto-sans-bengali-bengali-400-normal.woff2",
    "noto-sans-bengali-bengali-700-normal.woff2",
)
_TYPES: Final = {".js": "text/javascript", ".css": "text/css", ".woff2": "font/woff2"}

router = APIRouter(include_in_schema=False)


@cache
def _digest(path: Path) -> str | None:
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def vendor_url(key: str) -> str | None:
    """The address of a vendor file (`echarts`, `htmx`, `bengali`), or None if missing."""
    name = FILES[key]
    digest = _digest(VENDOR / name)
    return None if digest is None else f"/static/vendor/{name}?v={digest}"


def static_url(name: str) -> str:
    """The address of one of dxplan's own static files, with its hash."""
    digest = _digest(STATIC / name)
    return f"/static/{name}" + (f"?v={digest}" if digest else "")


@router.get("/static/vendor/{name}")
def vendor_file(name: str) -> FileResponse:
    """A vendor file with long-lived cache headers (declared before the /static mount)."""
    path = VENDOR / name
    if (name not in FILES.values() and name not in FONTS) or not path.is_file():
        raise HTTPException(404, "No such file.")
    return FileResponse(path, media_type=_TYPES[path.suffix], headers={"Cache-Control": IMMUTABLE})
