"""A plan's index: each mistake at its file:line:column, with its code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dxplan.plans import DEFAULT_PLAN, load_plan, shipped_plan

FILE = Path(__file__).parent / "files" / "index-small.yaml"
TEXT = FILE.read_text("utf-8")


def _broken(folder: Path, old: str, new: str) -> tuple[Path, int]:
    """The small index plan with `old` replaced; and the line it was on."""
    at = TEXT.index(old)
    path = folder / "index-small.yaml"
    path.write_text(TEXT[:at] + new + TEXT[at + len(old) :], "utf-8")
    (folder / "index-small-units.csv").write_text(
        (FILE.parent / "index-small-units.csv").read_text("utf-8"), "utf-8"
    )
    return path, TEXT.count("\n", 0, at) + 1


CASES: dict[str, tuple[str, ...]] = {
    "pillar weights that do not add up": (
        "weight: 0.4\n",
        "weight: 0.5\n",
        "the weights of the pillars add up to 1.1 (0.6 + 0.5), not 1",
        "  pillars:\n    - pillar: AA",  # the key of the list of the pillars
    ),
    "component weights that do not add up": (
        "{indicator: AA-02, weight: 0.5,",
        "{indicator: AA-02, weight: 0.25,",
        "the weights of AA add up to 0.75 (0.5 + 0.25), not 1",
        "      components:\n        - {indicator: AA-01",  # the key of AA's components
    ),
    "unknown indicator": (
        "{indicator: AA-02,",
        "{indicator: AA-09,",
        "unknown indicator 'AA-09'",
    ),
    "unknown method": (
        "method: min-max}",
        "method: z-score}",
        "unknown normalisation 'z-score'; known: min-max, target, goalposts",
    ),
    "against a target it lacks": (
        "method: min-max}",
        "method: target}",
        "AA-02 has no target to normalise against",
    ),
    "goalposts without goalposts": (
        "method: goalposts, goalposts: {low: 0, high: 10}}",
        "method: goalposts}",
        "the `goalposts` method needs",
    ),
    "a ranking the organisation lacks": (
        "ranking: provinces\n  top",
        "ranking: districts\n  top",
        "the organisation has no ranking 'districts'; it has provinces",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_index_is_located(cli: Callable[..., Any], tmp_path: Path, case: str) -> None:
    old, new, message, *at = CASES[case]
    path, line = _broken(tmp_path, old, new)
    if at:  # the mistake is a list's, reported at its key
        line = TEXT.count("\n", 0, TEXT.index(at[0])) + 1
    result = cli("plan", "validate", str(path))
    assert result.exit_code == 2, result.output
    assert f"{path}:{line}:" in result.output, result.output
    assert message in result.output


def test_the_small_index_plan_is_valid(cli: Callable[..., Any]) -> None:
    result = cli("plan", "validate", str(FILE))
    assert result.exit_code == 0, result.output


def test_the_national_plan_speaks_the_provinces_codes() -> None:
    """GOV-03 of the national plan is GOV-03 of Can Tho's: same name, same direction."""
    national, can_tho = load_plan(shipped_plan("national")), load_plan(DEFAULT_PLAN)
    assert national.index is not None and national.organisation == "VN"
    theirs = {i.code: i for i in can_tho.indicators}
    for indicator in national.indicators:
        assert indicator.code in theirs, indicator.code
        assert indicator.names == theirs[indicator.code].names
        assert indicator.direction == theirs[indicator.code].direction
        assert indicator.source.value == "received"
    assert sorted(national.index.weights()) == sorted(i.code for i in national.indicators)
    assert sum(national.index.weights().values()) == pytest.approx(1)
