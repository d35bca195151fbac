"""A broken plan file: a message with file, line and column, exit code 2, nothing stored."""

from pathlib import Path

import pytest

from dxplan.plans import DEFAULT_PLAN

SHIPPED = DEFAULT_PLAN.read_text(encoding="utf-8")


def _broken(tmp_path: Path, old: str, new: str, *, after: str = "") -> tuple[Path, int]:
    """The shipped plan with the first `old` after `after` replaced; and that line's number."""
    start = SHIPPED.index(after) if after else 0
    at = SHIPPED.index(old, start)
    text = SHIPPED[:at] + new + SHIPPED[at + len(old) :]
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text.count("\n", 0, at) + 1


CASES = {
    "unknown key": (
        "    pillar: GOV\n",
        "    pillar: GOV\n    colour: red\n",
        "code: GOV-03",
        1,  # the mistake is on the line after the replaced one
        "unknown key 'colour'",
    ),
    "duplicate code": ("code: GOV-04", "code: GOV-03", "", 0, "code 'GOV-03' appears twice"),
    "unknown measure": (
        "numerator: dossiers_online",
        "numerator: dossiers_onlin",
        "code: GOV-03",
        0,
        "GOV-03 names unknown measure 'dossiers_onlin'",
    ),
    "unknown unit": (
        "lead_agency: 92-TTHCC",
        "lead_agency: 92-NOWHERE",
        "code: GOV-03",
        0,
        "GOV-03 names unknown unit '92-NOWHERE'",
    ),
    "target op outside the list": (
        'op: ">="',
        'op: "=="',
        "code: GOV-03",
        0,
        "target.op",
    ),
    "formula with another operator": (
        "numerator: dossiers_online",
        "numerator: dossiers_online * 2",
        "code: GOV-03",
        0,
        "only measure codes, numbers, + and - are allowed",
    ),
    "broken YAML": ("  - code: GOV-03", "  - code: [GOV-03", "", 0, "expected ',' or ']'"),
    "public indicator over a confidential data set": (
        "confidential: true  # from the bank-accounts data set, which is confidential",
        "confidential: false",
        "code: SOC-08",
        0,
        "SOC-08 reads residents_15plus, residents_15plus_with_account of a confidential data set",
    ),
    "a quarter as the plan's period": (
        'period: "2025"',
        'period: "2025Q1"',
        "",
        0,
        "the plan's period is one whole year of its calendar, e.g. 2025, not '2025Q1'",
    ),
    "a fiscal year in a calendar-year plan": (
        'period: "2025"',
        'period: "FY2025"',
        "",
        0,
        "its year is the calendar year, write 2025",
    ),
    "a calendar year in a fiscal plan": (
        'period: "2025"',
        'period: "2025"\nfiscal_year_start: 7',
        "",
        0,
        "its year is a fiscal year starting in month 7, write FY2025",
    ),
    "a fiscal year starting in month 13": (
        'period: "2025"',
        'period: "2025"\nfiscal_year_start: 13',
        "",
        1,
        "fiscal_year_start",
    ),
    "an unknown time zone": (
        'period: "2025"',
        'period: "2025"\ntimezone: Asia/Atlantis',
        "",
        1,
        "'Asia/Atlantis' is not a known IANA time zone",
    ),
    "a language the pages do not speak": (
        'period: "2025"',
        'period: "2025"\nlanguages: [vi, fr]',
        "",
        1,
        "dxplan's pages speak vi, en, bn only, not fr",
    ),
    "a text missing in one of the plan's languages": (
        "      bn: ডিজিটাল সরকার\n",
        "",
        "code: GOV",
        -3,  # names: is three lines up (names, vi, en)
        "pillars[GOV].names.bn",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_validate_names_file_and_line(cli, tmp_path, case):
    old, new, after, offset, message = CASES[case]
    path, line = _broken(tmp_path, old, new, after=after)
    result = cli("plan", "validate", str(path))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    lines = [x for x in result.stderr.splitlines() if message in x]
    expected_line = line + offset
    if case == "broken YAML":  # the parser notices on the next line
        assert any(x.startswith(f"{path}:{n}:") for x in lines for n in (line, line + 1)), lines
    else:
        assert lines[0].startswith(f"{path}:{expected_line}:"), lines
    assert "nothing was stored" in result.stderr


def test_the_shipped_plan_is_valid(cli):
    result = cli("plan", "validate", str(DEFAULT_PLAN))
    assert result.exit_code == 0, result.output
    assert "27 indicators (24 with a target)" in result.stdout
    assert "124 units" in result.stdout  # the city, 103 communes and wards, 20 agencies


def test_a_missing_file_and_a_non_mapping_are_reported(cli, tmp_path):
    missing = tmp_path / "nope.yaml"
    result = cli("plan", "validate", str(missing))
    assert result.exit_code == 2 and f"{missing}:1:1:" in result.stderr
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    result = cli("plan", "validate", str(listing))
    assert result.exit_code == 2 and "must be a mapping" in result.stderr


def test_init_with_a_bad_plan_stores_nothing(cli, tmp_path, monkeypatch):
    path, _ = _broken(tmp_path, "numerator: dossiers_online", "numerator: nothing_known")
    monkeypatch.setenv("DXPLAN_PLAN_FILE", str(path))
    result = cli("init")
    assert result.exit_code == 2
    assert "unknown measure 'nothing_known'" in result.stderr
    assert not (tmp_path / "data").exists(), "no database was created"


def test_a_bad_plan_later_leaves_the_stored_one_alone(cli, tmp_path, monkeypatch):
    assert cli("init").exit_code == 0
    before = cli("plan", "show", "--format", "json").stdout
    path, _ = _broken(tmp_path, 'op: ">="', 'op: "="')
    monkeypatch.setenv("DXPLAN_PLAN_FILE", str(path))
    assert cli("init").exit_code == 2
    monkeypatch.delenv("DXPLAN_PLAN_FILE")
    assert cli("plan", "show", "--format", "json").stdout == before
    again = cli("init")
    assert "version 1" in again.stdout, "the plan was never stored twice"


def _language_plan(tmp_path: Path, keep: tuple[str, ...], languages: str) -> Path:
    """The shipped plan with only the texts in `keep`, declaring `languages`."""
    lines = [
        line
        for line in SHIPPED.splitlines(keepends=True)
        if not any(line.lstrip().startswith(f"{lang}: ") for lang in {"vi", "en", "bn"} - set(keep))
    ]
    text = "".join(lines).replace('period: "2025"\n', f'period: "2025"\nlanguages: {languages}\n')
    path = tmp_path / "languages.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("keep", "languages"), [(("bn", "en"), "[bn, en]"), (("en",), "[en]"), (("bn",), "[bn]")]
)
def test_a_plan_without_vietnamese_is_valid(cli, tmp_path, keep, languages):
    path = _language_plan(tmp_path, keep, languages)
    assert "\n  vi: " not in path.read_text("utf-8") and "      vi: " not in path.read_text("utf-8")
    result = cli("plan", "validate", str(path))
    assert result.exit_code == 0, result.output


def test_a_plan_in_english_and_bengali_that_misses_bengali_names_them_all(cli, tmp_path):
    path = _language_plan(tmp_path, ("en",), "[bn, en]")
    result = cli("plan", "validate", str(path))
    assert result.exit_code == 2
    problems = [x for x in result.stderr.splitlines() if "no text in 'bn'" in x]
    assert any("names.bn" in x for x in problems)
    # every pillar, measure and indicator name is named, with its line
    assert len(problems) >= 27 + 3
    assert all(x.startswith(f"{path}:") for x in problems)


def test_an_impossible_date_is_a_located_error(cli, tmp_path):
    path, line = _broken(tmp_path, "deadline: 2025-12-31", "deadline: 2025-13-31")
    result = cli("plan", "validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:{line}:")
    assert "date" in result.stderr.splitlines()[0]
