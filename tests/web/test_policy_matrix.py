"""Every route, as every role, answers what the permission policy says.

For each route of the app this test knows which action it asks the policy about and on
which resource, sends the request as each role (nobody, viewer, reporter of the unit,
reporter of another unit, coordinator, admin) and checks the answer against
`policy.can`: allowed means the route did what was asked (or refused it for the
report's state, 409, or for the values, 4xx other than 401/403/404), refused means
401 or the sign-in page for nobody, 404 for a report one may not read, 403 otherwise,
and nothing stored. `test_every_route_is_in_the_matrix` fails when a route is added
without a line here: a new route cannot skip the policy. (The policy itself is checked
against the guide's roles table in tests/test_policy.py.)

Report routes are tried on a report in each state (empty, draft, submitted, approved,
returned), each cell on a period of its own so that cells do not see each other. Task
routes likewise: each write on a breakthrough task of a year of its own, in the state
the action needs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from starlette.routing import Route

from dxplan import policy
from dxplan.domain.account import Role, User
from dxplan.domain.period import Period
from dxplan.domain.submission import Action as Workflow
from dxplan.domain.submission import Status
from dxplan.domain.task import Progress
from dxplan.policy import Action, Figure, ReportRef, UnitRef
from dxplan.settings import Settings
from dxplan.store import notifications as notify_store
from dxplan.store import submissions as submission_store
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.tasks.service import Tasks, Upload
from dxplan.web import create_app
from dxplan.workspace import Workspace
from tests.dashboard_values import AS_OF, record_dashboard_values

UNIT: Final = "31135"  # Phường Ninh Kiều: the reporter's ward
OTHER: Final = "31120"  # Phường Cái Khế: the other reporter's
BANK: Final = "92-NHNN"  # reports the confidential bank-accounts data set
PASSWORD: Final = "matrix password 2025"
ROLES: Final = ("anonymous", "viewer", "reporter", "other", "coordinator", "admin")
ACCOUNTS: Final = {
    "viewer": (Role.VIEWER, []),
    "reporter": (Role.REPORTER, [UNIT, BANK]),
    "other": (Role.REPORTER, [OTHER]),
    "coordinator": (Role.COORDINATOR, []),
    "admin": (Role.ADMIN, []),
}
VALUES: Final = {"past_results_valid": 5, "past_results_digitized": 5}
FORM_VALUES: Final = {f"v.{m}.{UNIT}": str(v) for m, v in VALUES.items()}
STATES: Final = (Status.EMPTY, Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.RETURNED)
PLAN_TASK: Final = "T-GOV-01"  # led by 92-SKHCN: nobody of the matrix reports for it
PDF: Final = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    workspace: Workspace
    users: dict[str, User | None]
    clients: dict[str, TestClient]  # pages: a signed-in browser per role
    bearer: dict[str, dict[str, str]]  # the API: a personal token per role
    csrf: dict[str, str]
    quarters: Iterator[Period]
    years: Iterator[int]

    def report(self, status: Status, dataset: str = "past-results", unit: str = UNIT) -> str:
        """A report in `status` on a period of its own; its path after /reports/."""
        period = next(self.quarters)
        reporter, coordinator = self.users["reporter"], self.users["coordinator"]
        assert reporter is not None and coordinator is not None
        values = {
            "past-results": VALUES,
            "bank-accounts": {"residents_15plus": 1000, "residents_15plus_with_account": 500},
        }[dataset]
        with self.workspace.engine.begin() as conn:
            service = self.workspace.reporting(conn)
            report = service.open(reporter, dataset, unit, str(period))
            if status is not Status.EMPTY:
                report = service.save(reporter, report, service.parse_values(report, values))
            if status in (Status.SUBMITTED, Status.APPROVED, Status.RETURNED):
                report = service.submit(reporter, report)
            if status is Status.APPROVED:
                service.approve(coordinator, report)
            if status is Status.RETURNED:
                service.return_(coordinator, report, "check the figures")
        return f"{dataset}/{unit}/{period}"

    def version(self, path: str) -> int:
        dataset, unit, period = path.split("/")
        with self.workspace.engine.connect() as conn:
            return submission_store.get(conn, dataset, unit, period).version

    def breakthrough(self, status: Status, unit: str = UNIT) -> str:
        """The unit's breakthrough task in `status` (draft, submitted or approved), of a
        year of its own; its code. Written as the CLI does (no user)."""
        year = next(self.years)
        with self.workspace.engine.begin() as conn:
            tasks = Tasks.of(self.workspace, conn)
            code = tasks.register_breakthrough(
                None, unit, year, title=f"Đột phá {year}", due=date(year, 12, 1)
            ).code
            if status in (Status.SUBMITTED, Status.APPROVED):
                tasks.submit_breakthrough(None, code)
            if status is Status.APPROVED:
                tasks.approve_breakthrough(None, code)
        return code

    def task(self, code: str) -> tuple[int, int]:
        """The task's version and how many progress reports it has."""
        with self.workspace.engine.connect() as conn:
            tasks = Tasks.of(self.workspace, conn)
            return tasks.get(None, code).version, len(tasks.history(None, code))

    def get(self, role: str, url: str) -> Response:
        headers = self.bearer.get(role, {}) if url.startswith("/api/") else {}
        return self.clients[role].get(url, headers=headers)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder: Path = tmp_path_factory.mktemp("matrix")
    settings = Settings(data_dir=folder, as_of=AS_OF)
    users: dict[str, User | None] = {"anonymous": None}
    bearer: dict[str, dict[str, str]] = {}
    with Workspace(settings) as workspace:
        workspace.initialise(actor="test")
        record_dashboard_values(workspace)
        with workspace.engine.begin() as conn:
            for name, (role, units) in ACCOUNTS.items():
                user = user_store.add(
                    conn, name, role=role, password=PASSWORD, units=units, actor="test"
                )
                users[name] = user
                secret, _ = token_store.create(conn, f"{name}-token", [], "test", user_id=user.id)
                bearer[name] = {"Authorization": f"Bearer {secret}"}
        clients: dict[str, TestClient] = {}
        csrf: dict[str, str] = {}
        for role in ROLES:
            client = TestClient(create_app(settings), follow_redirects=False)
            client.__enter__()
            clients[role] = client
            if role == "anonymous":
                continue
            form = {"username": role, "password": PASSWORD, "csrf_token": _csrf(client)}
            assert client.post("/sign-in", data=form).status_code == 303
            csrf[role] = _csrf(client, "/reports")
        quarters = (Period.parse(f"{y}Q{q}") for y in range(1900, 2025) for q in range(1, 5))
        years = iter(range(1900, 2024))
        yield World(workspace, users, clients, bearer, csrf, quarters, years)
        for client in clients.values():
            client.__exit__(None, None, None)


def _csrf(client: TestClient, path: str = "/sign-in") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


# -- what a refusal and a permission look like -------------------------------------------


def _refused(response: Response, role: str, *, api: bool, unreadable: bool) -> None:
    """A refusal: 401 (API) or the sign-in page for nobody, else 404 or 403."""
    if role == "anonymous":
        if api:
            assert response.status_code == 401, response.text
        else:  # the sign-in page, or the form's CSRF check that comes first
            assert response.status_code in (303, 403), response.text
            if response.status_code == 303:
                assert response.headers["location"].startswith("/sign-in")
    else:
        assert response.status_code == (404 if unreadable else 403), response.text


def _done(response: Response) -> None:
    """Not refused by the policy: done, or refused for the state or the values only."""
    assert response.status_code < 500, response.text
    assert response.status_code not in (401, 403, 404), response.text


# -- the matrix: each route, the action it asks and the resource -------------------------

ReportCall = Callable[[World, str, str], Response]  # (world, role, report path)


def _api_put(w: World, role: str, path: str) -> Response:
    body = {"values": VALUES}
    return w.clients[role].put(f"/api/submissions/{path}", json=body, headers=w.bearer.get(role))


def _api_post(action: str) -> ReportCall:
    def call(w: World, role: str, path: str) -> Response:
        body = {"comment": "check the figures"} if action == "return" else None
        url = f"/api/submissions/{path}/{action}"
        return w.clients[role].post(url, json=body, headers=w.bearer.get(role))

    return call


def _form_post(action: str) -> ReportCall:
    def call(w: World, role: str, path: str) -> Response:
        form = {"csrf_token": w.csrf.get(role, "none"), "action": action, **FORM_VALUES}
        form["comment"] = "check the figures"
        return w.clients[role].post(f"/reports/{path}", data=form)

    return call


def _upload(w: World, role: str, path: str) -> Response:
    form = {"csrf_token": w.csrf.get(role, "none")}
    files = {"file": ("bao-cao.xlsx", b"not a spreadsheet", "application/octet-stream")}
    return w.clients[role].post(f"/reports/{path}/upload", data=form, files=files)


REPORT = "/{dataset}/{unit}/{period}"
REPORT_WRITES: Final[dict[tuple[str, str], list[tuple[Workflow, ReportCall, bool]]]] = {
    ("PUT", f"/api/submissions{REPORT}"): [(Workflow.SAVE, _api_put, True)],
    ("POST", f"/api/submissions{REPORT}/submit"): [(Workflow.SUBMIT, _api_post("submit"), True)],
    ("POST", f"/api/submissions{REPORT}/approve"): [(Workflow.APPROVE, _api_post("approve"), True)],
    ("POST", f"/api/submissions{REPORT}/return"): [(Workflow.RETURN, _api_post("return"), True)],
    ("POST", f"/reports{REPORT}"): [(w, _form_post(w.value), False) for w in Workflow],
    ("POST", f"/reports{REPORT}/upload"): [(Workflow.SAVE, _upload, False)],
}
REPORT_READS: Final = {
    ("GET", f"/api/submissions{REPORT}"): ("/api/submissions/{}", True),
    ("GET", f"/reports{REPORT}"): ("/reports/{}", False),
    ("GET", f"/reports{REPORT}/template.xlsx"): ("/reports/{}/template.xlsx", False),
}
# routes that ask one action on one resource: (url, api?, action, resource)
SIMPLE: Final[dict[tuple[str, str], list[tuple[str, bool, Action, policy.Resource]]]] = {
    ("GET", "/reports/late"): [
        ("/reports/late", False, Action.REPORTS_LATE_READ, policy.ORGANISATION)
    ],
    ("GET", "/api/reports/late"): [
        ("/api/reports/late", True, Action.REPORTS_LATE_READ, policy.ORGANISATION)
    ],
    ("GET", "/focal-points"): [
        ("/focal-points", False, Action.FOCAL_POINT_READ, policy.ORGANISATION)
    ],
    ("GET", "/focal-points/{unit}"): [
        (f"/focal-points/{UNIT}", False, Action.FOCAL_POINT_READ, UnitRef(UNIT))
    ],
    ("GET", "/api/focal-points"): [
        ("/api/focal-points", True, Action.FOCAL_POINT_READ, policy.ORGANISATION)
    ],
    ("GET", "/api/focal-points/{unit}"): [
        (f"/api/focal-points/{UNIT}", True, Action.FOCAL_POINT_READ, UnitRef(UNIT))
    ],
    ("GET", "/official-reports/{unit}/{period}"): [
        (f"/official-reports/{UNIT}/2025Q3", False, Action.OFFICIAL_REPORT_READ, UnitRef(UNIT))
    ],
    ("GET", "/api/official-reports/{unit}/{period}"): [
        (f"/api/official-reports/{UNIT}/2025Q3", True, Action.OFFICIAL_REPORT_READ, UnitRef(UNIT))
    ],
    ("GET", "/account/notifications"): [
        ("/account/notifications", False, Action.NOTIFY_CHOOSE, policy.ORGANISATION)
    ],
    ("GET", "/official-reports/{unit}/{period}/{fmt}"): [
        (f"/official-reports/{UNIT}/2025Q3/{f}", False, Action.OFFICIAL_REPORT_READ, UnitRef(UNIT))
        for f in ("docx", "xlsx")  # the PDF is this DOCX converted (tests/official)
    ],
}
FIGURES: Final = {
    ("GET", "/indicators/{code}"): ("/indicators/{}", False),
    ("GET", "/indicators/{code}/units"): ("/indicators/{}/units", False),
    ("GET", "/indicators/{code}.csv"): ("/indicators/{}.csv", True),
    ("GET", "/api/dashboard/indicators/{code}"): ("/api/dashboard/indicators/{}", True),
}
# public pages: every figure they show is filtered by the policy (checked below)
PUBLIC_FIGURES: Final = {
    ("GET", "/"): "/",
    ("GET", "/api/dashboard/overview"): "/api/dashboard/overview",
    ("GET", "/pillars/{code}"): "/pillars/SOC",
    ("GET", "/api/dashboard/pillars/{code}"): "/api/dashboard/pillars/SOC",
    ("GET", "/units/{code}"): "/units/92",
    ("GET", "/api/dashboard/units/{code}"): "/api/dashboard/units/92",
    ("GET", "/rankings"): "/rankings",
    ("GET", "/api/dashboard/rankings"): "/api/dashboard/rankings",
    ("GET", "/alerts"): "/alerts",
    ("GET", "/api/dashboard/alerts"): "/api/dashboard/alerts",
    ("GET", "/api/overview"): "/api/overview",
}
# lists that any account reads, each row being one the reader may read
SIGNED_IN_LISTS: Final = {
    ("GET", "/reports"): ("/reports", False),
    ("GET", "/api/reports"): ("/api/reports", True),
    ("GET", "/api/datasets"): ("/api/datasets", True),
}
# task reads that ask TASK_READ of a unit's task, or of the organisation for lists
TASK_READS: Final = {
    ("GET", "/tasks"): ("/tasks", False),
    ("GET", "/tasks.xlsx"): ("/tasks.xlsx", False),
    ("GET", "/api/tasks"): ("/api/tasks", True),
    ("GET", "/tasks/{code}"): (f"/tasks/{PLAN_TASK}", False),
    ("GET", "/api/tasks/{code}"): (f"/api/tasks/{PLAN_TASK}", True),
    ("GET", "/tasks/{code}/evidence/{evidence_id}"): ("/tasks/{code}/evidence/{id}", False),
    ("GET", "/api/tasks/{code}/evidence/{evidence_id}"): ("/api/tasks/{code}/evidence/{id}", True),
}
TASK_WRITES: Final = {
    ("POST", "/tasks/{code}/progress"),
    ("POST", "/api/tasks/{code}/progress"),
    ("POST", "/tasks/{code}/{action}"),
    ("POST", "/api/tasks/{code}/{action}"),
}
BREAKTHROUGH_REGISTER: Final = {
    ("GET", "/tasks/breakthrough/new"),
    ("POST", "/tasks/breakthrough/new"),
    ("POST", "/api/tasks/breakthrough"),
}
FEEDS: Final = {("POST", "/api/dossiers"), ("POST", "/api/procedures")}
# a national dxplan's receiver (DXPLAN_RECEIVE): a province's token only, never a person;
# off here, so 404 for everyone (tests/receiver tries them on a receiver)
PACKETS: Final = {("POST", "/packets"): "/packets", ("GET", "/packets/{message_id}"): "/packets/m1"}
FOCAL_POINT_SET: Final = ("POST", "/focal-points/{unit}")
OFFICIAL_NOTES: Final = ("POST", "/official-reports/{unit}/{period}/notes")
NOTIFY_CHOOSE: Final = ("POST", "/account/notifications")
# no figure, no report, no person's data: the same for everyone
PUBLIC: Final = {
    ("GET", "/api/health"): "service status",
    ("GET", "/api/version"): "the version",
    ("GET", "/api/plan"): "the plan file's public content",
    ("GET", "/api/units"): "the organisation's units",
    ("GET", "/static/vendor/{name}"): "npm assets",
    ("GET", "/sign-in"): "the sign-in form",
    ("POST", "/sign-in"): "signing in",
    ("POST", "/sign-out"): "signing out",
    ("GET", "/openapi.json"): "the API description",
    ("GET", "/docs"): "the API documentation",
    ("GET", "/docs/oauth2-redirect"): "the API documentation",
    ("GET", "/redoc"): "the API documentation",
    # public figures only, the same for everyone (tests/opendata checks SOC-08 is absent)
    ("GET", "/opendata"): "the open-data page",
    ("GET", "/opendata/datapackage.json"): "the open-data package",
    ("GET", "/opendata/{name}.csv"): "the open-data package's tables",
    # the composite index: public indicators only (a confidential component is a plan
    # problem), the same for everyone; 404 without an index (tests/web/test_index_pages.py)
    ("GET", "/index"): "the index's ranking",
    ("GET", "/api/dashboard/index"): "the index's ranking",
    ("GET", "/index/{code}"): "a ranked unit's components",
    ("GET", "/api/dashboard/index/{code}"): "a ranked unit's components",
    ("GET", "/timeliness"): "when the ranked units' figures arrived",
    ("GET", "/api/dashboard/timeliness"): "when the ranked units' figures arrived",
    # the link in every reminder: its signed token is the right (tests/notify)
    ("GET", "/unsubscribe/{token}"): "an unsubscribe link's confirmation",
    ("POST", "/unsubscribe/{token}"): "unsubscribing by a signed link",
}


def _routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route of the app, included routers' too."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes)
            elif isinstance(route, APIRoute | Route) and route.methods:
                found.update((m, route.path) for m in route.methods if m != "HEAD")

    walk(app.routes)
    return found


def test_every_route_is_in_the_matrix(world: World) -> None:
    known = (
        set(REPORT_WRITES)
        | set(REPORT_READS)
        | set(SIMPLE)
        | set(FIGURES)
        | set(PUBLIC_FIGURES)
        | set(SIGNED_IN_LISTS)
        | set(TASK_READS)
        | TASK_WRITES
        | BREAKTHROUGH_REGISTER
        | FEEDS
        | set(PACKETS)
        | {FOCAL_POINT_SET, OFFICIAL_NOTES, NOTIFY_CHOOSE}
        | set(PUBLIC)
    )
    routes = _routes(world.clients["anonymous"].app)
    assert routes - known == set(), "routes that the matrix does not know"
    assert known - routes == set(), "matrix lines for routes that do not exist"


@pytest.mark.parametrize("route", sorted(REPORT_WRITES), ids=" ".join)
def test_report_writes(world: World, route: tuple[str, str]) -> None:
    for (workflow, call, api), status, role in itertools.product(
        REPORT_WRITES[route], STATES, ROLES
    ):
        path = world.report(status)
        ref = ReportRef(UNIT, False, status)
        user = world.users[role]
        before = world.version(path)
        response = call(world, role, path)
        cell = f"{role} {workflow.value} on a {status.value} report"
        if policy.can(user, policy.WORKFLOW[workflow], ref):
            _done(response)
            if response.status_code in (200, 303):
                assert world.version(path) > before, cell
        else:
            unreadable = not policy.can(user, Action.REPORT_READ, ref)
            try:
                _refused(response, role, api=api, unreadable=unreadable)
            except AssertionError as error:
                raise AssertionError(f"{cell}: {error}") from None
            assert world.version(path) == before, f"{cell}: the refusal stored something"


@pytest.mark.parametrize("route", sorted(REPORT_READS), ids=" ".join)
def test_report_reads(world: World, route: tuple[str, str]) -> None:
    url, api = REPORT_READS[route]
    cases = [(s, "past-results", UNIT, False) for s in STATES]
    cases.append((Status.APPROVED, "bank-accounts", BANK, True))  # a confidential data set
    for status, dataset, unit, confidential in cases:
        path = world.report(status, dataset, unit)
        ref = ReportRef(unit, confidential, status)
        for role in ROLES:
            response = world.get(role, url.format(path))
            cell = f"{role} reads a {status.value} {dataset} report"
            if policy.can(world.users[role], Action.REPORT_READ, ref):
                assert response.status_code == 200, f"{cell}: {response.text}"
            else:
                _refused(response, role, api=api, unreadable=True)
            if api and response.status_code == 200:
                offered = response.json()["actions"]
                assert offered == [a.value for a in policy.report_actions(world.users[role], ref)]


@pytest.mark.parametrize("route", sorted(SIMPLE), ids=" ".join)
def test_simple_routes(world: World, route: tuple[str, str]) -> None:
    for url, api, action, resource in SIMPLE[route]:
        for role in ROLES:
            response = world.get(role, url)
            if policy.can(world.users[role], action, resource):
                assert response.status_code == 200, f"{role} {url}: {response.text}"
            else:
                _refused(response, role, api=api, unreadable=False)


def test_setting_a_focal_point(world: World) -> None:
    for role in ROLES:
        form = {
            "csrf_token": world.csrf.get(role, "none"),
            "name": f"Nguyễn Văn {role.title()}",
            "title": "Phó Chủ tịch",
            "phone": "0292 3820 000",
            "email": "ubnd@example.vn",
        }
        response = world.clients[role].post(f"/focal-points/{UNIT}", data=form)
        allowed = policy.can(world.users[role], Action.FOCAL_POINT_SET, UnitRef(UNIT))
        if allowed:
            assert response.status_code == 303, f"{role}: {response.text}"
        else:
            _refused(response, role, api=False, unreadable=False)
        current = world.get("coordinator", f"/api/focal-points/{UNIT}").json()["focal_point"]
        stored = current is not None and current["name"] == form["name"]
        assert stored is allowed, role


def test_writing_an_official_reports_notes(world: World) -> None:
    for role in ROLES:
        form = {
            "csrf_token": world.csrf.get(role, "none"),
            "difficulties": f"Khó khăn ({role})",
            "next_tasks": "Hoàn thành kết nối",
        }
        response = world.clients[role].post(f"/official-reports/{UNIT}/2025Q2/notes", data=form)
        allowed = policy.can(world.users[role], Action.OFFICIAL_REPORT_NOTES, UnitRef(UNIT))
        if allowed:
            assert response.status_code == 303, f"{role}: {response.text}"
        else:
            _refused(response, role, api=False, unreadable=False)
        page = world.get("coordinator", f"/official-reports/{UNIT}/2025Q2").text
        assert (form["difficulties"] in page) is allowed, role


def test_choosing_ones_reminders(world: World) -> None:
    """Each person saves their own choices; nobody without an account saves any."""
    for role in ROLES:
        form = {"csrf_token": world.csrf.get(role, "none"), "kind.report_due": "1"}
        response = world.clients[role].post("/account/notifications", data=form)
        allowed = policy.can(world.users[role], Action.NOTIFY_CHOOSE, policy.ORGANISATION)
        if allowed:
            assert response.status_code == 303, f"{role}: {response.text}"
        else:
            _refused(response, role, api=False, unreadable=False)
        with world.workspace.engine.connect() as conn:
            saved = notify_store.preferences(conn).get(f"user:{role}", {})
        assert (saved.get("report_missing") == "out") is allowed, role


@pytest.mark.parametrize("route", sorted(FIGURES), ids=" ".join)
def test_figures_of_one_indicator(world: World, route: tuple[str, str]) -> None:
    url, api = FIGURES[route]
    plan = world.workspace.plan()
    assert plan is not None
    for code in ("GOV-01", "SOC-08"):  # a public indicator and a confidential one
        resource = Figure.of(plan.indicator(code))
        for role in ROLES:
            response = world.get(role, url.format(code))
            if policy.can(world.users[role], Action.FIGURE_READ, resource):
                assert response.status_code == 200, f"{role} {code}: {response.text}"
            elif api:
                assert response.status_code == 401, f"{role} {code}"
            else:
                assert response.status_code == 303, f"{role} {code}"
                assert response.headers["location"].startswith("/sign-in")


@pytest.mark.parametrize("route", sorted(PUBLIC_FIGURES), ids=" ".join)
def test_public_pages_show_the_figures_the_reader_may_see(
    world: World, route: tuple[str, str]
) -> None:
    plan = world.workspace.plan()
    assert plan is not None
    confidential = [i.code for i in plan.indicators if i.confidential]
    assert confidential == ["SOC-08"]
    for role in ROLES:
        response = world.get(role, PUBLIC_FIGURES[route])
        assert response.status_code == 200, f"{role}: {response.text}"
        shown = [c for c in confidential if f'"{c}"' in response.text]
        for code in shown:
            assert policy.sees_figure(world.users[role], plan.indicator(code)), (role, code)


@pytest.mark.parametrize("route", sorted(SIGNED_IN_LISTS), ids=" ".join)
def test_lists_hold_only_what_the_reader_may_read(world: World, route: tuple[str, str]) -> None:
    url, api = SIGNED_IN_LISTS[route]
    plan = world.workspace.plan()
    assert plan is not None
    for role in ROLES:
        response = world.get(role, url)
        if role == "anonymous":
            _refused(response, role, api=api, unreadable=False)
            continue
        assert response.status_code == 200, f"{role}: {response.text}"
        if url == "/api/reports":
            for row in response.json():
                dataset = plan.dataset(row["dataset"])
                assert dataset is not None
                ref = ReportRef.of(dataset, row["unit"], Status(row["status"]))
                readable = policy.can(world.users[role], Action.REPORT_READ, ref)
                enters = policy.can(world.users[role], Action.REPORT_SAVE, ref)
                assert readable or enters, (role, row)


def test_packets_are_not_received_unless_the_receiver_is_on(world: World) -> None:
    for ((method, _), url), role in itertools.product(sorted(PACKETS.items()), ROLES):
        assert not policy.can(world.users[role], Action.FEED_WRITE, policy.ORGANISATION)
        response = world.clients[role].request(method, url, json={}, headers=world.bearer.get(role))
        assert response.status_code == 404, (role, url, response.text)


def test_feeds_take_source_system_tokens_only(world: World) -> None:
    for (_, path), role in itertools.product(sorted(FEEDS), ROLES):
        assert not policy.can(world.users[role], Action.FEED_WRITE, policy.ORGANISATION)
        response = world.clients[role].post(path, json=[], headers=world.bearer.get(role))
        _refused(response, role, api=True, unreadable=False)


# -- tasks ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evidence(world: World) -> tuple[str, int]:
    """An approved breakthrough task of the reporter's unit with one evidence file."""
    code = world.breakthrough(Status.APPROVED)
    with world.workspace.engine.begin() as conn:
        done = Tasks.of(world.workspace, conn).update_progress(
            None,
            code,
            percent=10,
            progress=Progress.IN_PROGRESS,
            files=[Upload("bien-ban.pdf", PDF, "application/pdf")],
        )
    return code, done.evidence[0].id


@pytest.mark.parametrize("route", sorted(TASK_READS), ids=" ".join)
def test_task_reads(world: World, evidence: tuple[str, int], route: tuple[str, str]) -> None:
    url, api = TASK_READS[route]
    code, evidence_id = evidence
    url = url.format(code=code, id=evidence_id)
    unit = UNIT if code in url else "92-SKHCN"
    resource = policy.ORGANISATION if "{code}" not in route[1] else UnitRef(unit)
    for role in ROLES:
        response = world.get(role, url)
        if policy.can(world.users[role], Action.TASK_READ, resource):
            assert response.status_code == 200, f"{role} {url}: {response.text}"
            if "evidence" in url:
                assert response.content == PDF
                assert response.headers["content-disposition"].startswith("attachment")
                assert response.headers["x-content-type-options"] == "nosniff"
        else:
            _refused(response, role, api=api, unreadable=True)


def _progress(w: World, role: str, code: str, api: bool) -> Response:
    files = {"files": ("bien-ban.pdf", PDF, "application/pdf")}
    form = {"percent": "50", "progress": "in_progress", "note": f"{role} reports"}
    if api:
        url = f"/api/tasks/{code}/progress"
        return w.clients[role].post(url, data=form, files=files, headers=w.bearer.get(role))
    form["csrf_token"] = w.csrf.get(role, "none")
    return w.clients[role].post(f"/tasks/{code}/progress", data=form, files=files)


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_task_progress(world: World, api: bool) -> None:
    for role in ROLES:
        code = world.breakthrough(Status.APPROVED)
        before = world.task(code)
        response = _progress(world, role, code, api)
        if policy.can(world.users[role], Action.TASK_UPDATE, UnitRef(UNIT)):
            assert response.status_code in (200, 303), f"{role}: {response.text}"
            assert world.task(code)[1] == before[1] + 1, role
        else:
            unreadable = not policy.can(world.users[role], Action.TASK_READ, UnitRef(UNIT))
            _refused(response, role, api=api, unreadable=unreadable)
            assert world.task(code) == before, f"{role}: the refusal stored something"


WORKFLOW_CASES: Final = (
    ("submit", Status.DRAFT, Action.TASK_UPDATE),
    ("approve", Status.SUBMITTED, Action.TASK_APPROVE),
    ("return", Status.SUBMITTED, Action.TASK_APPROVE),
)


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_breakthrough_workflow(world: World, api: bool) -> None:
    for (action, status, asked), role in itertools.product(WORKFLOW_CASES, ROLES):
        code = world.breakthrough(status)
        before = world.task(code)
        client = world.clients[role]
        if api:
            body = {"comment": "thiếu chỉ tiêu"} if action == "return" else None
            url = f"/api/tasks/{code}/{action}"
            response = client.post(url, json=body, headers=world.bearer.get(role))
        else:
            form = {"csrf_token": world.csrf.get(role, "none"), "comment": "thiếu chỉ tiêu"}
            response = client.post(f"/tasks/{code}/{action}", data=form)
        cell = f"{role} {action}s a {status.value} breakthrough task"
        if policy.can(world.users[role], asked, UnitRef(UNIT)):
            assert response.status_code in (200, 303), f"{cell}: {response.text}"
            assert world.task(code)[0] > before[0], cell
        else:
            unreadable = not policy.can(world.users[role], Action.TASK_READ, UnitRef(UNIT))
            try:
                _refused(response, role, api=api, unreadable=unreadable)
            except AssertionError as error:
                raise AssertionError(f"{cell}: {error}") from None
            assert world.task(code) == before, f"{cell}: the refusal stored something"


def _registers(user: User | None) -> bool:
    """Whether `user` may register a breakthrough task for one of its units."""
    return user is not None and any(
        policy.can(user, Action.TASK_UPDATE, UnitRef(u)) for u in user.units
    )


def _breakthroughs(world: World) -> set[str]:
    return {
        t["code"]
        for year in (2024, 2025)
        for t in world.get("coordinator", f"/api/tasks?year={year}").json()
        if t["kind"] == "breakthrough"
    }


def test_registering_a_breakthrough_task(world: World) -> None:
    for role in ROLES:
        before = _breakthroughs(world)
        user = world.users[role]
        form_page = world.get(role, "/tasks/breakthrough/new")
        unit = user.units[0] if user is not None and user.units else UNIT
        form = {
            "csrf_token": world.csrf.get(role, "none"),
            "unit": unit,
            "title": f"Đột phá của {role}",
            "due": "2025-12-15",
        }
        page = world.clients[role].post("/tasks/breakthrough/new", data=form)
        body = {"unit": unit, "year": 2024, "title": f"Đột phá {role}", "due": "2024-12-15"}
        api = world.clients[role].post(
            "/api/tasks/breakthrough", json=body, headers=world.bearer.get(role)
        )
        if _registers(user):
            assert form_page.status_code == 200, role
            assert page.status_code == 303, f"{role}: {page.text}"
            assert api.status_code == 201, f"{role}: {api.text}"
        else:
            _refused(form_page, role, api=False, unreadable=False)
            _refused(page, role, api=False, unreadable=False)
            _refused(api, role, api=True, unreadable=False)
        added = _breakthroughs(world) - before
        assert added == ({f"BT-2025-{unit}", f"BT-2024-{unit}"} if _registers(user) else set())
