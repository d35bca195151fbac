"""Filling an empty workspace with the demo data: catalog first, then every month."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from dxplan.demo.generator import generate
from dxplan.ingest.service import ImportResult, Progress, import_files, operational_store
from dxplan.workspace import Workspace

DEFAULT_DOSSIERS_PER_YEAR = 2_500_000


@dataclass(frozen=True)
class DemoScale:
    """How much demo data a plan's organisation gets: a city is not a district."""

    dossiers_per_year: int = DEFAULT_DOSSIERS_PER_YEAR
    procedures: int = 1900


SCALES: Final = {  # by plan code; other plans get the default scale
    "meherpur-dx-2025": DemoScale(dossiers_per_year=60_000, procedures=120),
}


def scale_of(workspace: Workspace) -> DemoScale:
    plan = workspace.plan()
    return SCALES.get(plan.code, DemoScale()) if plan is not None else DemoScale()


@dataclass(frozen=True)
class DemoLoad:
    procedures: ImportResult
    dossiers: ImportResult


def has_data(workspace: Workspace) -> bool:
    """Whether the operational store already holds dossiers (then the demo adds nothing)."""
    return bool(operational_store(workspace).snapshots.current().dossier_count > 0)


def load_demo(
    workspace: Workspace,
    *,
    dossiers_per_year: int | None = None,
    seed: int = 2025,
    progress: Progress | None = None,
) -> DemoLoad:
    """Generate the demo feeds into the data folder and import them like any feed.

    `dossiers_per_year` defaults to the plan's demo scale (`SCALES`).
    """
    organisation = workspace.organisation()
    if organisation is None:
        raise ValueError("initialise the workspace first")
    scale = scale_of(workspace)
    folder = workspace.settings.data_dir / "demo-feeds"
    files = generate(
        folder,
        organisation,
        seed=seed,
        dossiers_per_year=dossiers_per_year or scale.dossiers_per_year,
        procedures=scale.procedures,
    )
    procedures = import_files(workspace, "procedures", [files.procedures], actor="demo")
    dossiers = import_files(workspace, "dossiers", files.dossiers, progress=progress, actor="demo")
    return DemoLoad(procedures, dossiers)
