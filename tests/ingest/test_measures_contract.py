"""Dossier measures and indicators, checked against tables worked out by hand.

Seven dossiers of ward 31135 (A) and the Department of Construction 92-SXD (B), both
directly under the city 92. Times without an offset are Can Tho time (UTC+7).

D1 A online  recv 06-10, due 06-20, finished 06-18; fee, paid online; input and result digitized
D2 A direct  recv 06-30 23:30, due 07-05, finished 07-08 (late); result digitized only
D3 A online  recv 2025-06-30T17:30Z = 07-01 00:30 local; due 07-15; still processing; fee,
             not paid; input digitized
D4 A online  withdrawn: counts nowhere
D5 B postal  recv 06-05, no due, finished 06-06; fee, not paid; input digitized
D6 B online  recv 07-10, due 07-20 17:00, finished exactly 07-20 17:00 (on time: not after);
             fee, paid online; input and result digitized
D7 B direct  recv 06-25, due 06-28, finished 07-03: overdue and open at the end of June
"""

import csv
import io

import pytest

DOSSIERS = """\
dossier_id,procedure_code,unit_code,channel,received_at,due_at,finished_at,status,fee_required,paid_online,input_digitized,result_digitized,updated_at
D1,1.000001,31135,online,2025-06-10 09:00:00,2025-06-20 17:00:00,2025-06-18 10:00:00,finished,true,true,true,true,
D2,1.000001,31135,direct,2025-06-30T23:30:00+07:00,2025-07-05 17:00:00,2025-07-08 09:00:00,finished,false,false,false,true,
D3,1.000001,31135,online,2025-06-30T17:30:00Z,2025-07-15 17:00:00,,processing,true,false,true,false,
D4,1.000001,31135,online,2025-07-02 08:00:00,,,withdrawn,false,false,false,false,
D5,1.000002,92-SXD,postal,2025-06-05 08:00:00,,2025-06-06 08:00:00,finished,true,false,true,false,
D6,1.000002,92-SXD,online,2025-07-10 08:00:00,2025-07-20 17:00:00,2025-07-20 17:00:00,finished,true,true,true,true,
D7,1.000002,92-SXD,direct,2025-06-25 08:00:00,2025-06-28 17:00:00,2025-07-03 08:00:00,finished,false,false,false,false,
"""

# measure, unit, period: value (a cell not listed must be absent or 0)
EXPECTED = """\
measure,unit_code,period,value
dossiers_received,31135,2025-06,2
dossiers_received,31135,2025-07,1
dossiers_received,92-SXD,2025-06,2
dossiers_received,92-SXD,2025-07,1
dossiers_received,92,2025-06,4
dossiers_received,92,2025Q3,2
dossiers_received,92,2025S1,4
dossiers_received,92,2025,6
dossiers_online,31135,2025-06,1
dossiers_online,31135,2025-07,1
dossiers_online,92-SXD,2025-07,1
dossiers_online,92,2025,3
dossiers_input_digitized,31135,2025-06,1
dossiers_input_digitized,31135,2025-07,1
dossiers_input_digitized,92-SXD,2025-06,1
dossiers_input_digitized,92-SXD,2025-07,1
dossiers_fee,31135,2025-06,1
dossiers_fee,31135,2025-07,1
dossiers_fee,92-SXD,2025-06,1
dossiers_fee,92-SXD,2025-07,1
dossiers_paid_online,31135,2025-06,1
dossiers_paid_online,92-SXD,2025-07,1
dossiers_finished,31135,2025-06,1
dossiers_finished,31135,2025-07,1
dossiers_finished,92-SXD,2025-06,1
dossiers_finished,92-SXD,2025-07,2
dossiers_finished,92,2025Q3,3
dossiers_finished,92,2025,5
dossiers_finished_with_due,31135,2025-06,1
dossiers_finished_with_due,31135,2025-07,1
dossiers_finished_with_due,92-SXD,2025-07,2
dossiers_finished_on_time,31135,2025-06,1
dossiers_finished_on_time,92-SXD,2025-07,1
dossiers_result_digitized,31135,2025-06,1
dossiers_result_digitized,31135,2025-07,1
dossiers_result_digitized,92-SXD,2025-07,1
dossiers_overdue_open,92-SXD,2025-06,1
dossiers_overdue_open,31135,2025-07,1
dossiers_overdue_open,31135,2025-12,1
dossiers_overdue_open,31135,2025Q2,0
dossiers_overdue_open,31135,2025Q3,1
dossiers_overdue_open,92,2025-06,1
dossiers_overdue_open,92,2025Q2,1
dossiers_overdue_open,92,2025,1
"""

# by hand from the dossiers above: city 92, year 2025
INDICATORS = """\
indicator,numerator,denominator,value
GOV-03,3,6,50
GOV-06,4,6,66.66666666666667
GOV-07,3,5,60
GOV-10,2,4,50
GOV-11,2,4,50
"""


def _table(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def imported(cli, tmp_path):
    assert cli("init").exit_code == 0
    path = tmp_path / "dossiers.csv"
    path.write_text(DOSSIERS, encoding="utf-8")
    result = cli("import", "dossiers", str(path))
    assert result.exit_code == 0, result.output
    return path


def _exported(cli, what):
    result = cli(what, "export", "--format", "csv")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_measures_match_the_hand_worked_table(cli, imported):
    text = _exported(cli, "measures")
    assert text.splitlines()[0] == "measure,unit_code,period,value"
    found = {(r["measure"], r["unit_code"], r["period"]): float(r["value"]) for r in _table(text)}
    for row in _table(EXPECTED):
        key = (row["measure"], row["unit_code"], row["period"])
        assert found.get(key, 0.0) == float(row["value"]), key
    # every month with data, and its quarter, half and year, for the city
    periods = {p for (m, u, p) in found if m == "dossiers_received" and u == "92"}
    assert {"2025-06", "2025-07", "2025Q2", "2025Q3", "2025S1", "2025S2", "2025"} <= periods
    # nothing for a unit without data; a withdrawn dossier counts nowhere
    assert not any(u == "31120" for (_, u, _) in found)
    assert found[("dossiers_received", "31135", "2025")] == 3


def test_indicators_match_the_hand_worked_table(cli, imported):
    text = _exported(cli, "indicators")
    assert text.splitlines()[0] == "indicator,unit_code,period,numerator,denominator,value"
    found = {(r["indicator"], r["unit_code"], r["period"]): r for r in _table(text)}
    for row in _table(INDICATORS):
        got = found[(row["indicator"], "92", "2025")]
        assert float(got["numerator"]) == float(row["numerator"]), row["indicator"]
        assert float(got["denominator"]) == float(row["denominator"]), row["indicator"]
        assert float(got["value"]) == pytest.approx(float(row["value"]), rel=1e-12)
    # a ratio of an aggregate is the sum of numerators over the sum of denominators:
    # ward 31135 in July received one dossier, online -> 100; the city 2 of 2 -> 100
    assert float(found[("GOV-03", "31135", "2025-07")]["value"]) == 100
    # a denominator of 0 gives an empty value: nothing was finished in August
    august = found[("GOV-07", "31135", "2025-08")]
    assert (august["denominator"], august["value"]) == ("0", "")


def test_importing_the_same_file_again_changes_nothing(cli, imported, tmp_path):
    before = _exported(cli, "measures")
    current = (tmp_path / "data" / "operational" / "CURRENT").read_text()
    again = cli("import", "dossiers", str(imported))
    assert again.exit_code == 0
    assert "0 changed the store" in again.stdout
    assert (tmp_path / "data" / "operational" / "CURRENT").read_text() == current
    assert _exported(cli, "measures") == before
