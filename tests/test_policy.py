"""The permission policy, cell by cell, against the roles table of the user guide.

The table below is written by hand from the guide (docs/en/guide.md, "Roles"): a
reporter enters its own units' reports, a coordinator approves, a viewer reads
approved reports of data sets that are not confidential and the dashboard, nobody
without an account reads more than the public figures. U is the reporter's unit;
"other" is a reporter of another unit. The HTTP matrix (tests/web/test_policy_matrix.py)
then checks that every route answers as this policy does.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from dxplan import policy
from dxplan.domain.account import Role, User
from dxplan.domain.submission import Action as Workflow
from dxplan.domain.submission import Status
from dxplan.policy import Action, Figure, ReportRef, UnitRef, Visibility

U = "31135"
PEOPLE: dict[str, User | None] = {
    "anonymous": None,
    "viewer": User(1, "viewer", "Viewer", Role.VIEWER, ()),
    "reporter": User(2, "reporter", "Reporter", Role.REPORTER, (U,)),
    "other": User(3, "other", "Other", Role.REPORTER, ("31120",)),
    "coordinator": User(4, "coordinator", "Coordinator", Role.COORDINATOR, ()),
    "admin": User(5, "admin", "Admin", Role.ADMIN, ()),
}
RESOURCES: dict[str, policy.Resource] = {
    "public figure": Figure(Visibility.PUBLIC),
    "confidential figure": Figure(Visibility.CONFIDENTIAL),
    "U draft": ReportRef(U, False, Status.DRAFT),
    "U submitted": ReportRef(U, False, Status.SUBMITTED),
    "U approved": ReportRef(U, False, Status.APPROVED),
    "U confidential approved": ReportRef(U, True, Status.APPROVED),
    "unit U": UnitRef(U),
    "organisation": policy.ORGANISATION,
}
TABLE = """\
action,resource,anonymous,viewer,reporter,other,coordinator,admin
figure.read,public figure,Y,Y,Y,Y,Y,Y
figure.read,confidential figure,N,Y,Y,Y,Y,Y
report.read,U draft,N,N,Y,N,Y,Y
report.read,U submitted,N,N,Y,N,Y,Y
report.read,U approved,N,Y,Y,N,Y,Y
report.read,U confidential approved,N,N,Y,N,Y,Y
report.save,U draft,N,N,Y,N,N,N
report.submit,U draft,N,N,Y,N,N,N
report.approve,U submitted,N,N,N,N,Y,Y
report.return,U submitted,N,N,N,N,Y,Y
reports.late.read,organisation,N,N,N,N,Y,Y
focal_point.read,unit U,N,Y,Y,Y,Y,Y
focal_point.set,unit U,N,N,Y,N,Y,Y
task.read,unit U,N,Y,Y,Y,Y,Y
task.update,unit U,N,N,Y,N,N,N
task.approve,organisation,N,N,N,N,Y,Y
token.manage,organisation,N,N,N,N,N,Y
user.manage,organisation,N,N,N,N,N,Y
feed.write,organisation,N,N,N,N,N,N
official_report.read,unit U,N,Y,Y,N,Y,Y
official_report.notes,unit U,N,N,N,N,Y,Y
notify.choose,organisation,N,Y,Y,Y,Y,Y
"""
ROWS = list(csv.DictReader(io.StringIO(TABLE)))


def test_the_table_covers_every_action() -> None:
    assert {row["action"] for row in ROWS} == {a.value for a in Action}
    assert set(policy.RULES) == set(Action)  # no action without its rule


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r['action']} {r['resource']}")
def test_policy_answers_as_the_guide_says(row: dict[str, str]) -> None:
    resource = RESOURCES[row["resource"]]
    for person, user in PEOPLE.items():
        expected = row[person] == "Y"
        assert policy.can(user, Action(row["action"]), resource) is expected, person


def test_a_disabled_account_may_do_nothing() -> None:
    disabled = User(6, "gone", "Gone", Role.ADMIN, (U,), active=False)
    assert not any(policy.can(disabled, a, r) for a in Action for r in RESOURCES.values())


def test_a_report_offers_what_its_status_and_the_reader_allow() -> None:
    reporter, coordinator, viewer = PEOPLE["reporter"], PEOPLE["coordinator"], PEOPLE["viewer"]
    submitted = RESOURCES["U submitted"]
    assert isinstance(submitted, ReportRef)
    assert policy.report_actions(coordinator, submitted) == [Workflow.APPROVE, Workflow.RETURN]
    assert policy.report_actions(reporter, submitted) == []
    assert policy.report_actions(viewer, submitted) == []
    draft = ReportRef(U, False, Status.DRAFT)
    assert policy.report_actions(reporter, draft) == [Workflow.SAVE, Workflow.SUBMIT]
    assert policy.report_actions(coordinator, draft) == []


def _markdown_table() -> str:
    """The policy's answers as the table of docs/security.md (yes/no per reader)."""
    lines = [
        "| action | resource | " + " | ".join(PEOPLE) + " |",
        "|---|---|" + "---|" * len(PEOPLE),
    ]
    for row in ROWS:
        resource = RESOURCES[row["resource"]]
        cells = [
            "yes" if policy.can(user, Action(row["action"]), resource) else "no"
            for user in PEOPLE.values()
        ]
        lines.append(f"| `{row['action']}` | {row['resource']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def test_the_security_page_shows_the_policy_as_it_is() -> None:
    """docs/security.md carries the policy's own answers: regenerate it with
    `python -c 'from tests.test_policy import _markdown_table; print(_markdown_table())'`."""
    page = (Path(__file__).parents[1] / "docs" / "security.md").read_text("utf-8")
    assert _markdown_table() in page
