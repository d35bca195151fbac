"""Every page links the same stylesheets, the Bengali font's included (issue 11).

The sign-in, report and focal-point pages once linked the base stylesheet alone: on a
machine without a Bengali font the language switch's `বাংলা` showed as boxes. Each
HTML page of the app, its error pages included, is fetched here as a reader who has
not signed in and as a signed-in coordinator, and must link the three stylesheets;
`test_every_page_is_checked` fails when a page is added without a line here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route

from dxplan.domain.account import Role
from dxplan.settings import Settings
from dxplan.store import users as user_store
from dxplan.web import create_app
from dxplan.web.assets import static_url, vendor_url
from dxplan.workspace import Workspace
from tests.dashboard_values import AS_OF, record_dashboard_values

PASSWORD: Final = "stylesheets 2025"
# every route that answers a whole HTML page: an address to fetch it at
PAGES: Final = {
    "/": ["/", "/?period=not-a-period"],  # the page and its error page
    "/pillars/{code}": ["/pillars/GOV", "/pillars/NOPE"],
    "/indicators/{code}": ["/indicators/GOV-01"],
    "/units/{code}": ["/units/92"],
    "/rankings": ["/rankings"],
    "/alerts": ["/alerts"],
    "/sign-in": ["/sign-in"],
    "/reports": ["/reports"],
    "/reports/late": ["/reports/late"],
    "/reports/{dataset}/{unit}/{period}": ["/reports/past-results/31135/2025Q3"],
    "/focal-points": ["/focal-points"],
    "/focal-points/{unit}": ["/focal-points/31135"],
    "/opendata": ["/opendata"],
    "/official-reports/{unit}/{period}": ["/official-reports/92/2025Q3"],
}
# GET routes that answer something else: files, fragments, JSON
NOT_PAGES: Final = {
    "/official-reports/{unit}/{period}/{fmt}",  # the DOCX, PDF or XLSX file
    "/indicators/{code}.csv",
    "/indicators/{code}/units",  # the by-unit table alone, for htmx to swap in
    "/reports/{dataset}/{unit}/{period}/template.xlsx",
    "/opendata/datapackage.json",
    "/opendata/{name}.csv",
    "/packets/{message_id}",  # a packet's receipt (JSON) for the province that sent it
    "/static/vendor/{name}",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
}
LINK: Final = re.compile(r'<link rel="stylesheet" href="([^"]+)">')


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("styles") / "data", as_of=AS_OF)
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        record_dashboard_values(workspace)
        with workspace.writing() as conn:
            user_store.add(
                conn, "coord", role=Role.COORDINATOR, password=PASSWORD, units=[], actor="test"
            )
    with (
        TestClient(create_app(settings), follow_redirects=False) as anonymous,
        TestClient(create_app(settings), follow_redirects=False) as coordinator,
    ):
        token = re.search(r'name="csrf_token" value="([^"]+)"', coordinator.get("/sign-in").text)
        assert token is not None
        form = {"username": "coord", "password": PASSWORD, "csrf_token": token.group(1)}
        assert coordinator.post("/sign-in", data=form).status_code == 303
        yield {"anonymous": anonymous, "coordinator": coordinator}


def _get_routes(routes: list[Any]) -> set[str]:
    """Paths of the GET routes, included routers' too (as the policy matrix walks them)."""
    found: set[str] = set()
    for route in routes:
        if hasattr(route, "original_router"):
            found |= _get_routes(route.original_router.routes)
        elif isinstance(route, APIRoute | Route) and "GET" in (route.methods or ()):
            found.add(route.path)
    return found


def test_every_page_is_checked(clients: dict[str, TestClient]) -> None:
    gets = {p for p in _get_routes(clients["anonymous"].app.routes) if not p.startswith("/api/")}  # type: ignore[attr-defined]
    assert gets - set(PAGES) - NOT_PAGES == set(), "pages that this test does not fetch"
    assert set(PAGES) - gets == set(), "lines for pages that do not exist"


@pytest.mark.parametrize("reader", ["anonymous", "coordinator"])
def test_every_page_links_the_same_stylesheets(clients: dict[str, TestClient], reader: str) -> None:
    font = vendor_url("bengali")
    assert font is not None, "the Bengali font is installed by `make assets`"
    expected = [static_url("dxplan.css"), static_url("dashboard.css"), font]
    client = clients[reader]
    fetched = 0
    for url in (u for urls in PAGES.values() for u in urls):
        response = client.get(url)
        if response.status_code in (302, 303):
            # pages that send a reader who is not signed in to sign in, and the sign-in
            # page a signed-in reader is sent on from
            assert (reader == "anonymous") != (url == "/sign-in"), url
            continue
        assert response.headers["content-type"].startswith("text/html"), url
        assert LINK.findall(response.text) == expected, f"{reader} {url}"
        fetched += 1
    assert fetched >= len(PAGES) - 4


def test_the_linked_font_is_served(clients: dict[str, TestClient]) -> None:
    font = vendor_url("bengali")
    assert font is not None
    css = clients["anonymous"].get(font)
    assert css.status_code == 200 and "Noto Sans Bengali" in css.text
    for name in re.findall(r"url\(([^)]+\.woff2)\)", css.text):
        assert clients["anonymous"].get(f"/static/vendor/{name}").status_code == 200, name
