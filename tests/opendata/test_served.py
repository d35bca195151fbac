"""The package served at /opendata: over real HTTP it validates, the same for everyone.

Frictionless reads the descriptor from a uvicorn server on 127.0.0.1 and fetches each
CSV the descriptor names relative to it, as a harvester would.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

import frictionless
import httpx
import pytest
from fastapi.testclient import TestClient

from dxplan.domain.account import Role
from dxplan.opendata.schema import RESOURCES
from dxplan.settings import Settings
from dxplan.store import users as user_store
from dxplan.web import create_app
from dxplan.web.local import serve_locally as serve
from dxplan.workspace import Workspace
from tests.opendata.test_package import SECRET, SECRET_MEASURES, record_figures

PASSWORD = "open data password 2025"
URLS = ["/opendata", "/opendata/datapackage.json", *(f"/opendata/{n}.csv" for n in RESOURCES)]


@pytest.fixture
def figures(workspace: Workspace) -> Workspace:
    record_figures(workspace)
    with workspace.engine.begin() as conn:
        user_store.add(
            conn, "coord", role=Role.COORDINATOR, password=PASSWORD, units=[], actor="test"
        )
    return workspace


@pytest.fixture
def base(figures: Workspace) -> Iterator[str]:
    with serve(figures.settings) as url:
        yield url


def test_the_served_package_validates_over_http(base: str) -> None:
    report = frictionless.validate(f"{base}/opendata/datapackage.json")
    errors = [e.message for task in report.tasks for e in task.errors] + [
        e.message for e in report.errors
    ]
    assert report.valid, errors
    assert sorted(task.name for task in report.tasks) == sorted(RESOURCES)


def test_everyone_gets_the_same_public_package(base: str) -> None:
    anonymous = {url: httpx.get(base + url) for url in URLS}
    with httpx.Client(base_url=base) as signed_in:
        page = signed_in.get("/sign-in")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = {"username": "coord", "password": PASSWORD, "csrf_token": token}
        assert signed_in.post("/sign-in", data=form).status_code == 303
        coordinator = {url: signed_in.get(url) for url in URLS}
    for url in URLS:
        assert anonymous[url].status_code == 200, url
        for secret in (SECRET, *SECRET_MEASURES):
            assert secret not in anonymous[url].text, (url, secret)
            assert secret not in coordinator[url].text, (url, secret)
        if url != "/opendata":  # the page's menu names the signed-in reader
            assert coordinator[url].content == anonymous[url].content, url
    values = list(csv.DictReader(io.StringIO(anonymous["/opendata/values.csv"].text)))
    assert {r["indicator"] for r in values} == {"GOV-01", "GOV-03", "GOV-10", "SOC-02"}


def test_files_carry_their_hash_and_answer_304_when_unchanged(figures: Workspace) -> None:
    with TestClient(create_app(figures.settings)) as client:
        first = client.get("/opendata/values.csv")
        assert first.headers["content-type"] == "text/csv; charset=utf-8"
        again = client.get("/opendata/values.csv", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        described = client.get("/opendata/datapackage.json").json()
        values = next(r for r in described["resources"] if r["name"] == "values")
        assert first.headers["etag"].strip('"') in values["hash"]


def test_an_unknown_resource_is_404(figures: Workspace) -> None:
    with TestClient(create_app(figures.settings)) as client:
        for name in ("nope", "..%2Fdatapackage", "values.csv", "a" * 5000):
            response = client.get(f"/opendata/{name}.csv")
            assert response.status_code == 404, name
            assert len(response.content) < 300  # the name is not echoed back
        assert "use one of pillars, units" in client.get("/opendata/nope.csv").json()["detail"]


def test_before_init_the_pages_say_so(make_settings: Callable[..., Settings]) -> None:
    with TestClient(create_app(make_settings())) as client:
        assert client.get("/opendata").status_code == 503
        response = client.get("/opendata/datapackage.json")
        assert response.status_code == 503
        assert "dxplan init" in response.json()["detail"]


@pytest.mark.parametrize(
    ("language", "heading"), [("vi", "Dữ liệu mở"), ("en", "Open data"), ("bn", "উন্মুক্ত ডেটা")]
)
def test_the_page_lists_resources_and_metadata_in_each_language(
    figures: Workspace, language: str, heading: str
) -> None:
    plan = figures.plan()
    assert plan is not None
    with TestClient(create_app(figures.settings)) as client:
        page = client.get(f"/opendata?lang={language}").text
    assert f"<h1>{heading}</h1>" in page
    for name in RESOURCES:
        assert f'href="/opendata/{name}.csv"' in page
    gov01 = plan.indicator("GOV-01")
    assert gov01.names.get(language) in page
    assert gov01.definition is not None and gov01.definition.get(language) in page
    assert "noto-sans-bengali.css" in page  # বাংলা in the language switch needs it
    assert SECRET not in page
