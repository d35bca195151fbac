"""The contracts in the repository, generated from the code's own definitions.

Each entry of `GENERATED` renders one file of `docs/` (or one marked section of a
page written by hand) from a definition in the code: the feeds (`ingest/feeds.py`),
the computed measures (`domain/computed.py`), the error catalogues and the plan's
pydantic models. `scripts/contracts.py` writes them; a test fails when a committed
file differs from what the code renders, so the docs cannot drift from the code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from dxplan.contracts import errors, feeds, measures, plan_file
from dxplan.contracts.files import Generated, Section, Whole

GENERATED: Final[tuple[Generated, ...]] = (
    *(Whole(f"docs/schemas/{name}.json", render) for name, render in feeds.TABLE_SCHEMAS.items()),
    Whole("docs/schemas/plan.json", plan_file.json_schema),
    Whole("docs/measures.md", measures.page),
    Whole("docs/errors.md", errors.page),
    Section("docs/plan-file.md", "plan fields", plan_file.reference),
    Section("docs/operational-data.md", "measures", measures.feed_table),
)


def stale(root: Path) -> list[str]:
    """Paths under `root` whose content differs from what the code renders now."""
    return [g.path for g in GENERATED if g.current(root) != g.rendered(root)]


def write(root: Path) -> list[str]:
    """Render every generated file under `root`; return the paths that changed."""
    changed = stale(root)
    for generated in GENERATED:
        if generated.path in changed:
            target = root / generated.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(generated.rendered(root), encoding="utf-8")
    return changed
