"""Open data for anyone: `/opendata` (the page), its package and the package's CSV files.

The page and the files come from one package (`opendata/service.py`), built from the
public figures once per store state and served to every reader alike, signed in or
not: open data holds what anyone may see, and nothing more for those who sign in.
Each file carries an ETag (its SHA-256), so a harvester asking again with
`If-None-Match` gets a 304 until a figure changes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Final

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from dxplan.caching import Busy
from dxplan.domain.measure import SourceKind
from dxplan.i18n import Formatter
from dxplan.opendata.package import DESCRIPTOR, Package, unit_of_measure
from dxplan.opendata.schema import DXPLAN_SOURCE, RESOURCES
from dxplan.opendata.service import cached_open_data
from dxplan.web.dates import Dates
from dxplan.web.deps import RendererDep, WorkspaceDep
from dxplan.web.responses import refusals
from dxplan.workspace import Workspace

router = APIRouter(tags=["open data"])
CACHE_CONTROL: Final = "public, max-age=300"  # harvesters and proxies may keep it 5 minutes
BUSY_SECONDS: Final = 5
NO_PLAN: Final = "The store holds no plan yet: run `dxplan init` (or `dxplan demo`)."


def source_labels(_: Any) -> dict[str, str]:
    """Where an indicator's figures come from, in the reader's language."""
    return {
        SourceKind.CATALOG: _("The administrative procedure catalog"),
        SourceKind.DOSSIERS: _("Dossiers of the one-stop system"),
        SourceKind.REPORTED: _("Periodic reports of the units"),
        SourceKind.PLATFORM: _("dxplan's own records"),
        SourceKind.RECEIVED: _("Packets sent by the provinces"),
    }


def _package(workspace: Workspace) -> Package:
    """The package, or 503 (no plan yet, or too many requests waiting for builds)."""
    try:
        found = cached_open_data(workspace)
    except Busy:
        raise HTTPException(
            503,
            "Open data is being prepared: try again shortly.",
            {"Retry-After": str(BUSY_SECONDS)},
        ) from None
    if found is None:
        raise HTTPException(503, NO_PLAN)
    return found


def _file(request: Request, data: bytes, digest: str, media_type: str, name: str) -> Response:
    etag = f'"{digest[:32]}"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{name}"'
    return Response(data, media_type=media_type, headers=headers)


def page_view(package: Package, fmt: Formatter) -> dict[str, Any]:
    """What the page shows: the licence, the resources and each indicator's metadata."""
    _ = fmt.gettext
    sources = source_labels(_)
    plan = package.plan
    descriptor = package.descriptor
    pillars = {p.code: fmt.name(p.names) for p in plan.pillars}
    units = package.organisation
    resources = [
        {
            "name": r["name"],
            "url": f"/opendata/{r['path']}",
            "title": _(RESOURCES[r["name"]].title),
            "description": _(RESOURCES[r["name"]].description),
            "rows": package.rows[r["name"]],
            "bytes": r["bytes"],
            "fields": [
                {
                    "name": f.name,
                    "type": f.kind,
                    "required": f.required,
                    "description": _(f.description) + (f" ({f.language})" if f.language else ""),
                }
                for f in RESOURCES[r["name"]].fields
            ],
        }
        for r in descriptor["resources"]
    ]
    indicators = [
        {
            "code": i.code,
            "name": fmt.name(i.names),
            "pillar": pillars.get(i.pillar, i.pillar),
            "unit_of_measure": unit_of_measure(i),
            "target": fmt.target(i.target, i.kind),
            "numerator": str(i.numerator),
            "denominator": str(i.denominator) if i.denominator is not None else None,
            "source": sources[i.source],
            "lead_agency": fmt.name(units[i.lead_agency].names)
            if i.lead_agency in units
            else i.lead_agency,
            "definition": fmt.name(i.definition) or None,
            "methodology": fmt.name(i.methodology) or None,
        }
        for i in plan.indicators
    ]
    return {
        "title": fmt.name(plan.names),
        "created": descriptor["created"],
        "created_text": Dates(fmt.language, plan.calendar.zone).moment(
            datetime.fromisoformat(descriptor["created"])
        ),
        "licence": descriptor["licenses"][0],
        "sources": [*([fmt.name(plan.source)] if plan.source else []), _(DXPLAN_SOURCE)],
        "package_url": f"/opendata/{DESCRIPTOR}",
        "resources": resources,
        "indicators": indicators,
    }


@router.get("/opendata", include_in_schema=False)
def opendata_page(request: Request, workspace: WorkspaceDep, renderer: RendererDep) -> Response:
    try:
        package = _package(workspace)
    except HTTPException as error:
        if error.status_code == 503 and error.detail == NO_PLAN:
            return renderer.render(request, "empty.html", {}, status_code=503)
        raise
    view = page_view(package, renderer.formatter(request))
    return renderer.render(request, "opendata.html", {"view": view})


@router.get(
    f"/opendata/{DESCRIPTOR}",
    summary="The open-data package's descriptor (Frictionless Data Package)",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "The descriptor."}},
)
def opendata_descriptor(request: Request, workspace: WorkspaceDep) -> Response:
    """`datapackage.json`: the licence, sources and each resource's Table Schema, for
    anyone. Public indicators only, whoever asks."""
    package = _package(workspace)
    data = package.datapackage
    digest = hashlib.sha256(data).hexdigest()
    return _file(request, data, digest, "application/json", DESCRIPTOR)


@router.get(
    "/opendata/{name}.csv",
    summary="One resource of the open-data package, as CSV",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "The resource's rows."},
        **refusals(404),
    },
)
def opendata_csv(name: str, request: Request, workspace: WorkspaceDep) -> Response:
    """A resource of the package (`pillars`, `units`, `indicators`, `targets`, `values`)
    as the descriptor describes it."""
    if name not in RESOURCES:
        raise HTTPException(404, f"No such resource: use one of {', '.join(RESOURCES)}.")
    package = _package(workspace)
    path = RESOURCES[name].path
    described = next(r for r in package.descriptor["resources"] if r["name"] == name)
    digest = str(described["hash"]).removeprefix("sha256:")
    return _file(request, package.files[path], digest, "text/csv; charset=utf-8", path)
