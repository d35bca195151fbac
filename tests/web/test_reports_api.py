"""The reporting API contract, role by role, on SQLite and PostgreSQL.

Roles × actions covered here (R = reporter of the unit, R' = reporter of another unit,
C = coordinator, V = viewer, A = anonymous or a source system's token):
read own 200 (R) / other 404 (R') / any 200 (C) / approved only 200 (V), else 404;
save 200 (R) / 404 (R') / 403 (C, V); submit 200 (R) / 403 (V);
approve 200 (C) / 403 (R, V); return 200 (C) / 403 (R); anything 401 (A).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dxplan.cli import app as cli_app
from dxplan.domain.account import Role
from dxplan.store import tokens as token_store
from dxplan.store import users as user_store
from dxplan.store import values as value_store
from dxplan.store.tokens import Scope
from dxplan.web import create_app
from dxplan.workspace import Workspace

PASSWORD = "correct horse battery"
COMMUNE = "31135"  # Phường Ninh Kiều
OTHER = "31120"  # Phường Cái Khế
URL = "/api/submissions/past-results/{unit}/{period}"


@pytest.fixture
def api(workspace: Workspace) -> Iterator[Callable[[str], dict[str, str]]]:
    """Bearer headers per role: reporter (COMMUNE), other (OTHER), skhcn, coordinator, viewer."""
    people = {
        "reporter": (Role.REPORTER, [COMMUNE]),
        "other": (Role.REPORTER, [OTHER]),
        "skhcn": (Role.REPORTER, ["92-SKHCN"]),
        "coordinator": (Role.COORDINATOR, []),
        "viewer": (Role.VIEWER, []),
    }
    headers: dict[str, dict[str, str]] = {}
    with workspace.engine.begin() as conn:
        for name, (role, units) in people.items():
            user = user_store.add(
                conn, name, role=role, password=PASSWORD, units=units, actor="test"
            )
            secret, _ = token_store.create(conn, f"{name}-token", [], "test", user_id=user.id)
            headers[name] = {"Authorization": f"Bearer {secret}"}
    yield lambda name: headers[name]


@pytest.fixture
def http(workspace: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(workspace.settings)) as client:
        yield client


def _put(http: TestClient, who: dict[str, str], values: dict[str, Any], **extra: Any) -> Any:
    url = URL.format(unit=COMMUNE, period="2025Q3")
    return http.put(url, json={"values": values, **extra}, headers=who)


def _post(http: TestClient, who: dict[str, str], action: str, **body: Any) -> Any:
    url = URL.format(unit=COMMUNE, period="2025Q3") + f"/{action}"
    return http.post(url, json=body or None, headers=who)


def test_datasets_lists_measures_and_reporters(http: TestClient, api: Any) -> None:
    response = http.get("/api/datasets", headers=api("reporter"))
    assert response.status_code == 200
    by_code = {d["code"]: d for d in response.json()}
    past = by_code["past-results"]
    assert past["periodicity"] == "quarter"
    assert past["measures"] == ["past_results_valid", "past_results_digitized"]
    assert len(past["reporting_units"]) == 103  # every commune and ward
    assert COMMUNE in past["reporting_units"]
    # the bank data set is confidential: a commune reporter does not see it
    assert "bank-accounts" not in by_code
    coordinator = http.get("/api/datasets", headers=api("coordinator")).json()
    assert "bank-accounts" in {d["code"] for d in coordinator}


def test_draft_submit_approve_reaches_the_indicator(
    http: TestClient, api: Any, workspace: Workspace
) -> None:
    empty = http.get(URL.format(unit=COMMUNE, period="2025Q3"), headers=api("reporter"))
    assert empty.json()["status"] == "empty" and empty.json()["version"] == 0
    saved = _put(http, api("reporter"), {"past_results_valid": 400, "past_results_digitized": 310})
    assert saved.status_code == 200, saved.text
    assert saved.json()["status"] == "draft"
    assert saved.json()["values"] == {"past_results_valid": 400, "past_results_digitized": 310}
    assert _post(http, api("reporter"), "submit").json()["status"] == "submitted"
    approved = _post(http, api("coordinator"), "approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    runner = CliRunner()
    env = {
        "DXPLAN_DATABASE_URL": workspace.settings.database,
        "DXPLAN_DATA_DIR": str(workspace.settings.data_dir),
    }
    result = runner.invoke(cli_app, ["indicators", "export", "--format", "csv"], env=env)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    mine = [
        r
        for r in rows
        if r["indicator"] == "GOV-05" and r["unit_code"] == COMMUNE and r["period"] == "2025Q3"
    ]
    assert len(mine) == 1
    assert float(mine[0]["value"]) == pytest.approx(310 / 400 * 100)  # 77.5 %
    city = [
        r
        for r in rows
        if r["indicator"] == "GOV-05" and r["unit_code"] == "92" and r["period"] == "2025Q3"
    ]
    assert float(city[0]["value"]) == pytest.approx(77.5)  # the only ward that reported


def test_another_units_report_is_invisible(http: TestClient, api: Any) -> None:
    url = URL.format(unit=COMMUNE, period="2025Q3")
    assert http.get(url, headers=api("other")).status_code == 404
    put = http.put(url, json={"values": {"past_results_valid": 1}}, headers=api("other"))
    assert put.status_code == 404
    # and nothing was stored
    assert http.get(url, headers=api("reporter")).json()["status"] == "empty"


def test_viewer_reads_approved_reports_only_and_never_writes(http: TestClient, api: Any) -> None:
    url = URL.format(unit=COMMUNE, period="2025Q3")
    # a report on its way (empty, draft, submitted) is not the viewer's to read: 404
    assert http.get(url, headers=api("viewer")).status_code == 404
    assert _put(http, api("viewer"), {"past_results_valid": 5}).status_code == 404
    assert _put(http, api("coordinator"), {"past_results_valid": 5}).status_code == 403
    _put(http, api("reporter"), {"past_results_valid": 5, "past_results_digitized": 5})
    assert http.get(url, headers=api("viewer")).status_code == 404
    assert _post(http, api("viewer"), "submit").status_code == 404
    _post(http, api("reporter"), "submit")
    assert _post(http, api("viewer"), "approve").status_code == 404
    assert _post(http, api("viewer"), "return", comment="no").status_code == 404
    assert _post(http, api("coordinator"), "approve").status_code == 200
    # approved: the viewer reads it, may do nothing to it, and is offered nothing
    read = http.get(url, headers=api("viewer"))
    assert read.status_code == 200
    assert read.json()["values"] == {"past_results_valid": 5, "past_results_digitized": 5}
    assert read.json()["actions"] == []
    assert _put(http, api("viewer"), {"past_results_valid": 4}).status_code == 403


def test_actions_offered_depend_on_the_reader(http: TestClient, api: Any) -> None:
    """A submitted report offers approve and return to the coordinator only."""
    url = URL.format(unit=COMMUNE, period="2025Q3")
    _put(http, api("reporter"), {"past_results_valid": 5, "past_results_digitized": 5})
    assert http.get(url, headers=api("reporter")).json()["actions"] == ["save", "submit"]
    assert http.get(url, headers=api("coordinator")).json()["actions"] == []
    _post(http, api("reporter"), "submit")
    assert http.get(url, headers=api("reporter")).json()["actions"] == []
    assert http.get(url, headers=api("coordinator")).json()["actions"] == ["approve", "return"]


def test_reporter_cannot_approve_or_return(http: TestClient, api: Any) -> None:
    _put(http, api("reporter"), {"past_results_valid": 5, "past_results_digitized": 5})
    _post(http, api("reporter"), "submit")
    assert _post(http, api("reporter"), "approve").status_code == 403
    assert _post(http, api("reporter"), "return", comment="mine").status_code == 403
    url = URL.format(unit=COMMUNE, period="2025Q3")
    assert http.get(url, headers=api("reporter")).json()["status"] == "submitted"


def test_numerator_above_denominator_is_refused_naming_the_measure(
    http: TestClient, api: Any
) -> None:
    response = _put(
        http, api("reporter"), {"past_results_valid": 100, "past_results_digitized": 120}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["code"], e["measure"]) for e in errors] == [
        ("above-limit", "past_results_digitized")
    ]
    assert "past_results_valid" in errors[0]["message"]
    url = URL.format(unit=COMMUNE, period="2025Q3")
    assert http.get(url, headers=api("reporter")).json()["status"] == "empty"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"past_results_valid": "many"}, "not-a-number"),
        ({"past_results_valid": True}, "not-a-number"),
        ({"past_results_valid": -3}, "below-min"),
        ({"past_results_valid": 2.5}, "not-integer"),
        ({"households": 10}, "unknown-measure"),
    ],
)
def test_bad_values_are_refused_with_their_code(
    http: TestClient, api: Any, values: dict[str, Any], code: str
) -> None:
    response = _put(http, api("reporter"), values)
    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == [code]


def test_submit_needs_every_required_value(http: TestClient, api: Any) -> None:
    _put(http, api("reporter"), {"past_results_valid": 10})
    response = _post(http, api("reporter"), "submit")
    assert response.status_code == 422
    assert [(e["code"], e["measure"]) for e in response.json()["errors"]] == [
        ("required", "past_results_digitized")
    ]


def test_the_later_of_two_saves_of_the_same_version_is_refused(http: TestClient, api: Any) -> None:
    first = _put(http, api("reporter"), {"past_results_valid": 10})
    version = first.json()["version"]
    mine = _put(http, api("reporter"), {"past_results_valid": 11}, version=version)
    assert mine.status_code == 200
    theirs = _put(http, api("reporter"), {"past_results_valid": 12}, version=version)
    assert theirs.status_code == 409
    assert "reload" in theirs.json()["detail"]
    url = URL.format(unit=COMMUNE, period="2025Q3")
    assert http.get(url, headers=api("reporter")).json()["values"]["past_results_valid"] == 11


def test_return_needs_a_comment_then_resubmission_is_approved(http: TestClient, api: Any) -> None:
    _put(http, api("reporter"), {"past_results_valid": 10, "past_results_digitized": 2})
    _post(http, api("reporter"), "submit")
    assert _post(http, api("coordinator"), "return", comment="  ").status_code == 422
    returned = _post(http, api("coordinator"), "return", comment="Kiểm tra lại số hồ sơ")
    assert returned.json()["status"] == "returned"
    assert returned.json()["review_comment"] == "Kiểm tra lại số hồ sơ"
    assert _post(http, api("coordinator"), "approve").status_code == 409  # not submitted
    _put(http, api("reporter"), {"past_results_valid": 10, "past_results_digitized": 4})
    assert _post(http, api("reporter"), "submit").json()["status"] == "submitted"
    assert _post(http, api("coordinator"), "approve").json()["status"] == "approved"


def test_correction_after_approval_keeps_the_old_version(
    http: TestClient, api: Any, workspace: Workspace
) -> None:
    _put(http, api("reporter"), {"past_results_valid": 10, "past_results_digitized": 4})
    _post(http, api("reporter"), "submit")
    _post(http, api("coordinator"), "approve")
    corrected = _put(http, api("reporter"), {"past_results_valid": 10, "past_results_digitized": 6})
    assert corrected.json()["status"] == "draft"
    _post(http, api("reporter"), "submit")
    _post(http, api("coordinator"), "approve")
    from dxplan.domain.period import Period

    with workspace.engine.connect() as conn:
        history = value_store.history(
            conn, "past_results_digitized", COMMUNE, Period.parse("2025Q3")
        )
    assert [v.value for v in history] == [4.0, 6.0]


def test_outlier_needs_a_comment(http: TestClient, api: Any) -> None:
    q2 = URL.format(unit=COMMUNE, period="2025Q2")
    http.put(
        q2,
        json={"values": {"past_results_valid": 100, "past_results_digitized": 50}},
        headers=api("reporter"),
    )
    http.post(q2 + "/submit", headers=api("reporter"))
    assert http.post(q2 + "/approve", headers=api("coordinator")).status_code == 200
    # Q3 triples the valid results: more than the 50 % the data set allows unexplained
    _put(http, api("reporter"), {"past_results_valid": 300, "past_results_digitized": 60})
    refused = _post(http, api("reporter"), "submit")
    assert refused.status_code == 422
    assert [(e["code"], e["severity"]) for e in refused.json()["errors"]] == [
        ("outlier", "warning")
    ]
    explained = _post(http, api("reporter"), "submit", comment="Sáp nhập hai phường")
    assert explained.status_code == 200 and explained.json()["comment"] == "Sáp nhập hai phường"


def test_per_commune_values_are_objects(http: TestClient, api: Any) -> None:
    url = "/api/submissions/digital-society-communes/92-SKHCN/2025-09"
    good = http.put(
        url,
        json={
            "values": {
                "households": {COMMUNE: 12000, OTHER: 9000},
                "households_with_fibre": {COMMUNE: 11000},
            }
        },
        headers=api("skhcn"),
    )
    assert good.status_code == 200, good.text
    assert good.json()["values"]["households"] == {COMMUNE: 12000, OTHER: 9000}
    flat = http.put(url, json={"values": {"households": 12000}}, headers=api("skhcn"))
    assert flat.status_code == 422
    assert flat.json()["errors"][0]["code"] == "not-an-object"
    stranger = http.put(url, json={"values": {"households": {"92-SYT": 1}}}, headers=api("skhcn"))
    assert [e["code"] for e in stranger.json()["errors"]] == ["unknown-unit"]


def test_anonymous_and_source_system_tokens_are_refused(
    http: TestClient, api: Any, workspace: Workspace
) -> None:
    url = URL.format(unit=COMMUNE, period="2025Q3")
    assert http.get(url).status_code == 401
    assert http.get("/api/datasets").status_code == 401
    with workspace.engine.begin() as conn:
        system, _ = token_store.create(conn, "one-stop", [Scope.DOSSIERS_WRITE], "test")
        token_store.revoke(conn, "reporter-token", "test")
    assert http.get(url, headers={"Authorization": f"Bearer {system}"}).status_code == 401
    assert http.get(url, headers=api("reporter")).status_code == 401


def test_a_disabled_user_is_refused_at_once(
    http: TestClient, api: Any, workspace: Workspace
) -> None:
    url = URL.format(unit=COMMUNE, period="2025Q3")
    assert http.get(url, headers=api("reporter")).status_code == 200
    with workspace.engine.begin() as conn:
        user_store.set_active(conn, "reporter", False, actor="test")
    assert http.get(url, headers=api("reporter")).status_code == 401


@pytest.mark.parametrize("period", ["2025-07", "2025", "2025Q5", "soon"])
def test_a_period_the_data_set_does_not_use_is_not_found(
    http: TestClient, api: Any, period: str
) -> None:
    url = URL.format(unit=COMMUNE, period=period)
    assert http.get(url, headers=api("reporter")).status_code == 404


def test_every_action_is_in_the_audit_log(http: TestClient, api: Any, workspace: Workspace) -> None:
    from dxplan.store import audit

    _put(http, api("reporter"), {"past_results_valid": 10, "past_results_digitized": 4})
    _post(http, api("reporter"), "submit")
    _post(http, api("coordinator"), "approve")
    with workspace.engine.connect() as conn:
        entries = audit.entries(conn, entity="report", key=f"past-results/{COMMUNE}/2025Q3")
    assert [(e.actor, e.action) for e in reversed(entries)] == [
        ("reporter", "report.save"),
        ("reporter", "report.submit"),
        ("coordinator", "report.approve"),
    ]
    assert entries[0].before["status"] == "submitted"
    assert entries[0].after["status"] == "approved"
