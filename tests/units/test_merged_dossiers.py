"""Dossiers of a retired unit count in its successor, through `dxplan import` and the engine."""

import csv
import io

DOSSIERS = (
    "dossier_id,procedure_code,unit_code,channel,received_at,due_at,finished_at,status,"
    "fee_required,paid_online,input_digitized,result_digitized,updated_at\n"
    # two dossiers of the old union in 2024, one of them online
    "D1,1.000001,BD-OLD,online,2024-05-02 09:00:00,,,processing,false,false,true,false,\n"
    "D2,1.000001,BD-OLD,direct,2024-06-03 09:00:00,,,processing,false,false,true,false,\n"
    # one of the new union in 2024, one in 2025 (after the merger)
    "D3,1.000001,BD-NEW,direct,2024-06-04 09:00:00,,,processing,false,false,true,false,\n"
    "D4,1.000001,BD-NEW,online,2025-08-01 09:00:00,,,processing,false,false,true,false,\n"
)

UNITS = """code,kind,parent_code,name_en,valid_to,successor_code
BD,district,,District,,
BD-NEW,union,BD,New Union,,
BD-OLD,union,BD,Old Union,2025-06-30,BD-NEW
"""

PLAN = """code: merged-dx
names: {en: Merged}
languages: [en]
organisation: {units_file: units.csv}
unit_kinds:
  kinds:
    - {code: district, names: {en: District}}
    - {code: union, names: {en: Union}}
  local: [union]
pillars: [{code: GOV, names: {en: Government}}]
measures:
  - {code: dossiers_received, names: {en: Received}, source: dossiers}
  - {code: dossiers_online, names: {en: Online}, source: dossiers}
  # a catalog measure too: a plan without one trips an engine bug fixed on another branch
  - {code: procedures_in_force, names: {en: In force}, source: catalog, time_aggregation: last}
indicators:
  - {code: GOV-01, pillar: GOV, names: {en: Online}, kind: ratio, numerator: dossiers_online,
     denominator: dossiers_received, source: dossiers, lead_agency: BD}
"""


def test_a_retired_units_dossiers_count_in_its_successor(cli, tmp_path, monkeypatch):
    (tmp_path / "units.csv").write_text(UNITS, "utf-8")
    (tmp_path / "plan.yaml").write_text(PLAN, "utf-8")
    (tmp_path / "dossiers.csv").write_text(DOSSIERS, "utf-8")
    monkeypatch.setenv("DXPLAN_PLAN_FILE", str(tmp_path / "plan.yaml"))
    assert cli("init").exit_code == 0
    imported = cli("import", "dossiers", str(tmp_path / "dossiers.csv"))
    assert imported.exit_code == 0, imported.output
    exported = cli("measures", "export", "--format", "csv")
    rows = csv.DictReader(io.StringIO(exported.stdout))
    values = {(r["measure"], r["unit_code"], r["period"]): float(r["value"]) for r in rows}
    # 2024: the new union's figure holds the old one's two dossiers and its own
    assert values[("dossiers_received", "BD-NEW", "2024")] == 3
    assert values[("dossiers_online", "BD-NEW", "2024")] == 1
    assert values[("dossiers_received", "BD", "2024")] == 3
    assert values[("dossiers_received", "BD-NEW", "2025")] == 1
    assert not any(unit == "BD-OLD" for _, unit, _ in values)
    listed = cli("units", "list", "--format", "csv").stdout.splitlines()
    assert listed == [
        "code,name,kind,parent_code",
        "BD,District,district,",
        "BD-NEW,New Union,union,BD",
    ]
