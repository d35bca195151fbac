"""The shipped Can Tho 2025 plan holds every target of the mission file, as written there."""

import csv
import io
from datetime import date

from dxplan.domain import LANGUAGES
from dxplan.plans import DEFAULT_PLAN
from dxplan.workspace import check_plan_file

# From shared/mission/cantho-dx-2025.md, typed by hand: "= 100%" is ">= 100".
EXPECTED = """code,pillar,source,op,value,numerator,denominator
GOV-01,GOV,catalog,>=,100,procedures_online,procedures_in_force
GOV-02,GOV,catalog,>=,80,procedures_on_portal,procedures_in_force
GOV-03,GOV,dossiers,>=,80,dossiers_online,dossiers_received
GOV-04,GOV,catalog,>=,80,procedures_fee_online_payment,procedures_with_fee
GOV-05,GOV,reported,>=,100,,
GOV-06,GOV,dossiers,>=,100,dossiers_input_digitized,dossiers_received
GOV-07,GOV,dossiers,>=,100,dossiers_result_digitized,dossiers_finished
GOV-08,GOV,platform,>=,100,,
GOV-09,GOV,platform,>=,100,,
GOV-10,GOV,dossiers,,,dossiers_finished_on_time,dossiers_finished_with_due
GOV-11,GOV,dossiers,,,dossiers_paid_online,dossiers_fee
ECO-01,ECO,reported,>=,20,,
ECO-02,ECO,reported,>,80,,
ECO-03,ECO,reported,>,50,,
ECO-04,ECO,reported,>=,100,,
ECO-05,ECO,reported,>=,80,,
ECO-06,ECO,reported,>=,99,,
SOC-01,SOC,reported,>,50,,
SOC-02,SOC,reported,>=,100,,
SOC-03,SOC,reported,>=,100,,
SOC-04,SOC,reported,>=,100,,
SOC-05,SOC,reported,>=,100,,
SOC-06,SOC,reported,>=,100,,
SOC-07,SOC,reported,>=,100,,
SOC-08,SOC,reported,>=,80,,
OVR-01,OVR,reported,<=,10,,
"""


def test_every_target_of_the_mission_is_in_the_plan():
    plan = check_plan_file(DEFAULT_PLAN).plan
    for row in csv.DictReader(io.StringIO(EXPECTED)):
        indicator = plan.indicator(row["code"])
        assert indicator.pillar == row["pillar"], row["code"]
        assert indicator.source.value == row["source"], row["code"]
        if row["op"]:
            assert indicator.target is not None, row["code"]
            assert indicator.target.op == row["op"], row["code"]
            assert indicator.target.value == float(row["value"]), row["code"]
            assert indicator.target.deadline == date(2025, 12, 31)
        else:
            assert indicator.target is None, f"{row['code']} is monitored"
        if row["numerator"]:  # the contract of docs/operational-data.md
            assert str(indicator.numerator) == row["numerator"], row["code"]
            assert str(indicator.denominator) == row["denominator"], row["code"]


def test_the_plan_has_27_indicators_on_four_pillars():
    plan = check_plan_file(DEFAULT_PLAN).plan
    assert [p.code for p in plan.pillars] == ["GOV", "ECO", "SOC", "OVR"]
    assert len(plan.indicators) == 27  # 26 of the mission + SOC-09 smartphones, monitored
    assert plan.indicator("SOC-09").target is None
    rank = plan.indicator("OVR-01")
    assert (rank.kind.value, rank.direction.value, rank.denominator) == ("rank", "decrease", None)
    assert all(i.kind.value == "ratio" for i in plan.indicators if i.code != "OVR-01")


def test_every_name_and_text_is_in_three_languages():
    plan = check_plan_file(DEFAULT_PLAN).plan
    texts = [("plan", plan.names)]
    texts += [(p.code, p.names) for p in plan.pillars]
    texts += [(m.code, m.names) for m in plan.measures]
    for indicator in plan.indicators:
        texts += [(indicator.code, indicator.names)]
        texts += [(indicator.code, indicator.definition), (indicator.code, indicator.methodology)]
    for where, text in texts:
        assert text is not None, where
        assert text.missing() == [], f"{where} lacks {text.missing()}"
    assert LANGUAGES == ("vi", "en", "bn")


def test_lead_agencies_are_units_of_the_organisation():
    checked = check_plan_file(DEFAULT_PLAN)
    assert checked.organisation[checked.plan.indicator("GOV-03").lead_agency].name == (
        "Trung tâm Phục vụ hành chính công"
    )
    assert checked.organisation[checked.plan.indicator("SOC-02").lead_agency].name == (
        "Sở Khoa học và Công nghệ"
    )
