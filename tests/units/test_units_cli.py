"""The command line on declared kinds and shipped plans."""

from dxplan.plans import shipped_plan


def test_units_list_takes_a_declared_kind_only(cli):
    result = cli("units", "list", "--kind", "planet")
    assert result.exit_code == 2
    assert "Unknown kind 'planet'; the organisation has city, ward, commune, agency." in (
        result.output
    )
    agencies = cli("units", "list", "--kind", "agency", "--format", "csv").stdout.splitlines()
    assert agencies[0] == "code,name,kind,parent_code" and len(agencies) == 21


def test_plan_validate_names_the_units_file_organisation(cli):
    path = shipped_plan("meherpur-2025")
    result = cli("plan", "validate", str(path))
    assert result.exit_code == 0, result.output
    assert "organisation MEH with 28 units." in result.stdout


def test_demo_refuses_an_unknown_plan(cli):
    result = cli("demo", "--plan", "nowhere")
    assert result.exit_code == 2
    assert "no shipped plan 'nowhere'; choose one of cantho-2025, meherpur-2025" in result.output
