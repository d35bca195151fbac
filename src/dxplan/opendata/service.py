"""The open-data package of a workspace, for the command line and, cached, for the web.

The web serves the same package to every reader until a figure, the plan or a unit
changes: it is built once per store state (the newest value's id, the plan's hash, the
units' count and last change), like the dashboard's boards, and readers meanwhile get
the built one without waiting.
"""

from __future__ import annotations

from typing import Any, Final

from dxplan.caching import BuildCache
from dxplan.evaluate.dashboard import store_state
from dxplan.opendata.package import Licence, Package, build_package
from dxplan.settings import Settings
from dxplan.store import plans as plan_store
from dxplan.store import units as unit_store
from dxplan.workspace import Workspace

MAX_PACKAGES: Final = 4  # a few workspaces (tests) or store states at once
_PACKAGES: BuildCache[tuple[Any, ...], Package] = BuildCache(
    MAX_PACKAGES, builders=1, waiting=32, obsolete=lambda new, old: new[0] == old[0]
)


def licence(settings: Settings) -> Licence:
    return Licence(settings.open_data_licence, settings.open_data_licence_title)


def open_data(workspace: Workspace) -> Package | None:
    """The package of the stored figures now, or None before `dxplan init`."""
    if not workspace.initialised:
        return None
    with workspace.engine.connect() as conn:
        plan, organisation = workspace.plan(conn), workspace.organisation(conn)
        if plan is None or organisation is None:
            return None
        settings = workspace.settings
        return build_package(
            conn, plan, organisation, licence(settings), settings.now(plan.calendar.zone)
        )


def cached_open_data(workspace: Workspace) -> Package | None:
    """`open_data`, built once per store state, plan and units (raises `caching.Busy`
    when too many requests already wait for builds)."""
    if not workspace.initialised:
        return None
    settings = workspace.settings
    with workspace.engine.connect() as conn:  # released before waiting for a build
        plan_key = plan_store.latest_key(conn)
        if plan_key is None:
            return None
        # the units too: the package lists them (a unit renamed by `dxplan init`)
        units = unit_store.state(conn)
        key = (settings.database, store_state(conn), plan_key, units, licence(settings))

    def build() -> Package:
        found = open_data(workspace)
        assert found is not None, "the store was initialised a moment ago"
        return found

    return _PACKAGES.get(key, build)
