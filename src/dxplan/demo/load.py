"""Filling an empty workspace with the demo data: catalog first, then every month."""

from __future__ import annotations

from dataclasses import dataclass

from dxplan.demo.generator import generate
from dxplan.ingest.service import ImportResult, Progress, import_files, operational_store
from dxplan.workspace import Workspace

DEFAULT_DOSSIERS_PER_YEAR = 2_500_000


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
    dossiers_per_year: int = DEFAULT_DOSSIERS_PER_YEAR,
    seed: int = 2025,
    progress: Progress | None = None,
) -> DemoLoad:
    """Generate the demo feeds into the data folder and import them like any feed."""
    organisation = workspace.organisation()
    if organisation is None:
        raise ValueError("initialise the workspace first")
    folder = workspace.settings.data_dir / "demo-feeds"
    files = generate(folder, organisation, seed=seed, dossiers_per_year=dossiers_per_year)
    procedures = import_files(workspace, "procedures", [files.procedures], actor="demo")
    dossiers = import_files(workspace, "dossiers", files.dossiers, progress=progress, actor="demo")
    return DemoLoad(procedures, dossiers)
