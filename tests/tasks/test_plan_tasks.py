"""The plan's `tasks:` section: checked like the rest of the plan, at file:line:column."""

from pathlib import Path

import pytest

from dxplan.domain.problems import PLAN_PROBLEMS
from dxplan.plans import DEFAULT_PLAN, load_plan
from dxplan.workspace import check_plan_file

SHIPPED = DEFAULT_PLAN.read_text(encoding="utf-8")
TASK = "  - code: T-GOV-02\n"


def _broken(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """The shipped plan with the first `old` after task T-GOV-02 replaced; its line."""
    at = SHIPPED.index(old, SHIPPED.index(TASK))
    text = SHIPPED[:at] + new + SHIPPED[at + len(old) :]
    path = tmp_path / "tasks.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text.count("\n", 0, at) + 1


def test_the_shipped_plan_has_realistic_tasks():
    plan = check_plan_file(DEFAULT_PLAN).plan
    codes = [t.code for t in plan.tasks]
    assert 12 <= len(codes) <= 20 and len(set(codes)) == len(codes)
    names = " ".join(t.name.en or "" for t in plan.tasks)
    for subject in ("IOC", "LGSP", "online payment", "digital signatures", "5G", "data warehouse"):
        assert subject in names
    ioc = plan.task("T-GOV-01")
    assert ioc is not None and ioc.lead == "92-SKHCN" and plan.pillar_of(ioc) == "GOV"
    assert {t.lead for t in plan.tasks} >= {"92-SKHCN", "92-VPUB", "31135"}  # agencies, a ward


CASES = {
    "unknown lead": (
        'lead: "92-SKHCN"',
        'lead: "92-NOWHERE"',
        "T-GOV-02 names unknown unit '92-NOWHERE'",
    ),
    "unknown supporting unit": (
        'supporting: ["92-VPUB"]',
        'supporting: ["92-VPUB", "99999"]',
        "T-GOV-02 names unknown unit '99999'",
    ),
    "unknown indicator": (
        "indicators: [GOV-02]",
        "indicators: [GOV-99]",
        "T-GOV-02 names unknown indicator 'GOV-99'",
    ),
    "due before start": (
        "due: 2025-06-30",
        "due: 2025-01-31",
        "T-GOV-02 is due on 2025-01-31, before its start on 2025-02-01",
    ),
    "duplicate code": ("code: T-GOV-03", "code: T-GOV-02", "code 'T-GOV-02' appears twice"),
    "missing language": (
        "      bn: নগরের স্থানীয় সরকার তথ্য বিনিময় ও সমন্বয় প্ল্যাটফর্ম (LGSP) উন্নীত করা\n",
        "",
        "tasks[T-GOV-02].name.bn: no text in 'bn'",
    ),
    "reserved code": ("code: T-GOV-03", "code: BT-2025-X", "codes beginning with BT- or U-"),
    "bad date": ("due: 2025-06-30", "due: 2025-06-31", "tasks[T-GOV-02].due"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_mistake_in_a_task_is_named_at_its_line(cli, tmp_path, case):
    old, new, message = CASES[case]
    path, line = _broken(tmp_path, old, new)
    result = cli("plan", "validate", str(path))
    assert result.exit_code == 2, result.output
    found = [x for x in result.stderr.splitlines() if message in x]
    assert found, result.stderr
    reported = int(found[0].split(":")[1])
    # the mistake's own line; a missing key is reported at the text that lacks it
    assert line - 4 <= reported <= line, (line, found)
    assert "nothing was stored" in result.stderr


def test_each_task_problem_code_is_in_the_catalogue():
    for code in ("unknown-indicator", "due-before-start", "unknown-unit", "duplicate-code"):
        assert code in PLAN_PROBLEMS


def test_a_plan_without_tasks_still_loads(tmp_path):
    text = SHIPPED[: SHIPPED.index("\ntasks:\n")] + "\n"
    path = tmp_path / "no-tasks.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_plan(path).tasks == []


def test_every_task_mistake_of_a_fixture_is_at_its_line_and_column(cli):
    path = Path(__file__).parent.parent / "plans" / "files" / "tasks-mistakes.yaml"
    result = cli("plan", "validate", str(path))
    assert result.exit_code == 2
    # columns: where each wrong value begins (the quote of "00000", the G of GOV-77)
    found = [line.removeprefix(f"{path}:") for line in result.stderr.splitlines()[:-1]]
    assert sorted(found) == sorted(
        [
            "32:5: T-BAD-01 names unknown unit '92-NOWHERE'",
            "33:30: T-BAD-01 names unknown unit '00000'",
            "41:26: T-BAD-02 names unknown indicator 'GOV-77'",
            "46:5: T-BAD-03 is due on 2025-03-31, before its start on 2025-07-01",
            "47:5: code 'T-OK-01' appears twice",
            # `en` is absent: the problem is at the `name:` that lacks it
            "53:5: tasks[T-BAD-04].name.en: no text in 'en', one of the plan's languages (vi, en)",
        ]
    )
