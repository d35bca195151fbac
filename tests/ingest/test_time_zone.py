"""The plan's time zone decides the month of a dossier (import and compute), on both stores.

A dossier received at 00:30 on 1 February 2025 in Can Tho (UTC+7) was received at
23:30 on 31 January in Dhaka (UTC+6): the same file counts in February under a plan
in Asia/Ho_Chi_Minh and in January under a plan in Asia/Dhaka.
"""

from pathlib import Path

import pytest

from dxplan.plans import DEFAULT_PLAN

# instants written with their offset: the same instant whatever the plan's zone
AT_MIDNIGHT_HALF_PAST = "2025-02-01T00:30:00+07:00"  # 31 Jan 23:30 in Dhaka
BEFORE_MIDNIGHT = "2025-01-31T23:30:00+07:00"  # 31 Jan 22:30 in Dhaka: January in both


def _row(dossier: str, received: str) -> str:
    return f"{dossier},1.000001,31135,online,{received},,,processing,false,false,true,true,"


def plan_in_zone(tmp_path: Path, zone: str) -> Path:
    """The shipped plan, counting its months in `zone`."""
    text = DEFAULT_PLAN.read_text("utf-8")
    path = tmp_path / f"plan-{zone.replace('/', '-')}.yaml"
    path.write_text(text.replace('period: "2025"\n', f'period: "2025"\ntimezone: {zone}\n'))
    return path


@pytest.mark.parametrize(
    ("zone", "february", "january"),
    [("Asia/Ho_Chi_Minh", 1, 1), ("Asia/Dhaka", 0, 2)],
)
def test_the_plan_zone_decides_the_month_of_a_dossier(
    cli, dossier_file, measures, database_url, monkeypatch, tmp_path, zone, february, january
):
    monkeypatch.setenv("DXPLAN_DATABASE_URL", database_url)
    monkeypatch.setenv("DXPLAN_PLAN_FILE", str(plan_in_zone(tmp_path, zone)))
    assert cli("init").exit_code == 0
    path = dossier_file(_row("A", AT_MIDNIGHT_HALF_PAST), _row("B", BEFORE_MIDNIGHT))
    result = cli("import", "dossiers", path)
    assert result.exit_code == 0, result.output
    found = measures()
    assert found.get(("dossiers_received", "31135", "2025-02"), 0) == february
    assert found.get(("dossiers_received", "31135", "2025-01"), 0) == january
    # the quarter holds both either way
    assert found[("dossiers_received", "31135", "2025Q1")] == 2
    assert cli("compute", "--full").exit_code == 0
    again = measures()
    dossiers = {k: v for k, v in found.items() if k[0] == "dossiers_received"}
    assert {k: v for k, v in again.items() if k[0] == "dossiers_received"} == dossiers


def test_an_unknown_time_zone_is_refused_at_its_line(cli, tmp_path, monkeypatch):
    path = plan_in_zone(tmp_path, "Asia/Atlantis")
    result = cli("plan", "validate", str(path))
    assert result.exit_code != 0
    line = 1 + path.read_text("utf-8").splitlines().index("timezone: Asia/Atlantis")
    assert f":{line}" in result.output
    assert "Asia/Atlantis" in result.output and "timezone" in result.output


def test_months_across_a_change_to_summer_time(cli, dossier_file, measures, monkeypatch, tmp_path):
    # Berlin moves from UTC+1 to UTC+2 on 30 March 2025: no steady offset over these
    # dossiers, so each month is found by the zone's rules (and not by arithmetic)
    monkeypatch.setenv("DXPLAN_PLAN_FILE", str(plan_in_zone(tmp_path, "Europe/Berlin")))
    assert cli("init").exit_code == 0
    path = dossier_file(
        _row("A", "2025-03-31T22:30:00Z"),  # 1 April 00:30 summer time: April
        _row("B", "2025-03-31T21:30:00Z"),  # 31 March 23:30: March
        _row("C", "2025-01-31T23:30:00Z"),  # 1 February 00:30 winter time: February
    )
    result = cli("import", "dossiers", path)
    assert result.exit_code == 0, result.output
    found = measures()
    assert found[("dossiers_received", "31135", "2025-04")] == 1
    assert found[("dossiers_received", "31135", "2025-03")] == 1
    assert found[("dossiers_received", "31135", "2025-02")] == 1
    assert found.get(("dossiers_received", "31135", "2025-01"), 0) == 0
