"""Shipped plan files and the reader that turns a plan file into a checked `Plan`."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from dxplan.documents import Document, DocumentError
from dxplan.domain.organisation import Organisation
from dxplan.domain.plan import Plan

SHIPPED_DIR: Final = Path(__file__).parent
DEFAULT_PLAN: Final = SHIPPED_DIR / "cantho-2025.yaml"

__all__ = ["DEFAULT_PLAN", "DocumentError", "load_plan", "parse_plan", "shipped", "shipped_plan"]


def shipped() -> list[str]:
    """The names of the shipped plans (`cantho-2025`, `meherpur-2025`)."""
    return sorted(path.stem for path in SHIPPED_DIR.glob("*.yaml"))


def shipped_plan(name: str) -> Path:
    """The file of the shipped plan `name` (or of the one its name begins with:
    `national` is `national-2025`); ValueError naming the shipped ones."""
    starting = [plan for plan in shipped() if plan.startswith(f"{name}-")]
    if name not in shipped() and len(starting) == 1:
        name = starting[0]
    if name not in shipped():
        raise ValueError(f"no shipped plan {name!r}; choose one of {', '.join(shipped())}")
    return SHIPPED_DIR / f"{name}.yaml"


def parse_plan(document: Document, organisation: Organisation | None = None) -> Plan:
    """Validate a parsed plan document; raise DocumentError listing every mistake by line."""
    plan = document.validate(Plan)
    document.fail((p.loc, p.code, p.message) for p in plan.problems(organisation))
    return plan


def load_plan(path: Path, organisation: Organisation | None = None) -> Plan:
    """Read and check a plan file (against `organisation` when given)."""
    return parse_plan(Document.read(path), organisation)
