"""The CLI contracts other systems rely on: `plan show --format json`, `units list --format csv`."""

import csv
import io
import json

from vietnam_provinces import Ward


def test_plan_show_json_contract(cli):
    result = cli("plan", "show", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # one JSON document, nothing else on stdout
    indicators = {i["code"]: i for i in document["indicators"]}
    # how the plan counts time and speaks: the defaults of a plan that does not say
    assert document["languages"] == ["vi", "en", "bn"]
    assert (document["timezone"], document["fiscal_year_start"]) == ("Asia/Ho_Chi_Minh", 1)
    assert indicators["GOV-03"]["pillar"] == "GOV"
    assert indicators["GOV-03"]["target"] == {"op": ">=", "value": 80, "deadline": "2025-12-31"}
    assert indicators["GOV-03"]["numerator"] == "dossiers_online"
    assert indicators["GOV-03"]["denominator"] == "dossiers_received"
    assert indicators["ECO-02"]["target"] == {"op": ">", "value": 80, "deadline": "2025-12-31"}
    assert indicators["GOV-01"]["target"]["value"] == 100
    assert indicators["GOV-10"]["target"] is None
    assert indicators["OVR-01"]["pillar"] == "OVR"
    assert indicators["OVR-01"]["target"] == {"op": "<=", "value": 10, "deadline": "2025-12-31"}
    assert indicators["OVR-01"]["denominator"] is None
    assert {i["pillar"] for i in indicators.values()} == {"GOV", "ECO", "SOC", "OVR"}
    for indicator in indicators.values():
        assert set(indicator) >= {"code", "pillar", "target", "numerator", "denominator"}
        assert isinstance(indicator["numerator"], str)


def test_plan_show_reads_the_stored_plan_after_init(cli):
    before = cli("plan", "show", "--format", "json").stdout
    assert cli("init").exit_code == 0
    assert cli("plan", "show", "--format", "json").stdout == before


def test_plan_show_table_is_for_people(cli):
    result = cli("plan", "show")
    assert result.exit_code == 0
    assert "GOV-03" in result.stdout and "Tỷ lệ hồ sơ tiếp nhận trực tuyến" in result.stdout
    english = cli("plan", "show", "--lang", "en").stdout
    assert "Dossiers received online" in english and "≥ 80%" in english


def test_units_list_csv_contract(cli):
    for before_and_after_init in (False, True):
        if before_and_after_init:
            assert cli("init").exit_code == 0
        result = cli("units", "list", "--format", "csv")
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[0] == "code,name,kind,parent_code"
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert rows[0] == {
            "code": "92",
            "name": "Thành phố Cần Thơ",
            "kind": "city",
            "parent_code": "",
        }
        local = [r for r in rows if r["kind"] in ("ward", "commune")]
        assert len(local) == 103
        assert sum(r["kind"] == "commune" for r in local) == 72
        assert sum(r["kind"] == "ward" for r in local) == 31
        assert all(len(r["code"]) == 5 and r["code"].isdigit() for r in local)
        assert all(r["parent_code"] == "92" for r in local)
        # names are the official ones, straight from the package
        assert {r["code"]: r["name"] for r in local}["31135"] == "Phường Ninh Kiều"
        official = {f"{int(w.code):05d}": w.name for w in Ward.iter_by_province(92)}
        assert {r["code"]: r["name"] for r in local} == official
        agencies = [r for r in rows if r["kind"] == "agency"]
        assert len(agencies) == 20 and all(r["parent_code"] == "92" for r in agencies)


def test_units_list_by_kind(cli):
    result = cli("units", "list", "--format", "csv", "--kind", "agency")
    codes = [row.split(",")[0] for row in result.stdout.splitlines()[1:]]
    assert "92-SKHCN" in codes and "92" not in codes and len(codes) == 20
