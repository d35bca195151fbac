"""The procedure catalog: versions, measures in force on a period's last day, XLSX."""

import pytest
from openpyxl import Workbook

CATALOG = """\
procedure_code,name,agency_code,level,online_level,on_national_portal,has_fee,online_payment,valid_from,valid_to
1.000001,Cấp giấy phép xây dựng,92-SXD,city,full,true,true,true,,
1.000002,Cấp phép sửa chữa nhà,92-SXD,city,partial,false,true,false,,
1.000003,Thẩm định thiết kế,92-SXD,city,none,false,false,false,,2025-07-30
1.000004,Đăng ký khai sinh,92-STP,commune,full,true,false,false,2025-07-31,
1.000005,Chứng thực bản sao,92-STP,commune,none,true,true,true,,
"""
# in force on 2025-06-30: P1, P2, P3, P5 (P4 starts 07-31)
# in force on 2025-07-31: P1, P2, P4, P5 (P3 ended 07-30; P4 in force on its first day)
EXPECTED = {
    # (measure, unit, period): value
    ("procedures_in_force", "92-SXD", "2025-06"): 3,
    ("procedures_in_force", "92-SXD", "2025-07"): 2,
    ("procedures_in_force", "92-STP", "2025-06"): 1,
    ("procedures_in_force", "92-STP", "2025-07"): 2,
    ("procedures_in_force", "92", "2025-07"): 4,
    ("procedures_online", "92", "2025-06"): 2,  # P1 full, P2 partial
    ("procedures_online", "92", "2025-07"): 3,  # P1, P2, P4
    ("procedures_on_portal", "92", "2025-07"): 3,  # P1, P4, P5
    ("procedures_with_fee", "92", "2025-07"): 3,  # P1, P2, P5
    ("procedures_fee_online_payment", "92", "2025-07"): 2,  # P1, P5
    ("procedures_in_force", "92", "2025Q3"): 4,  # a quarter: its last day (09-30)
    ("procedures_in_force", "92", "2025Q2"): 4,  # 06-30: P1, P2, P3, P5
}


@pytest.fixture
def with_dossiers(initialised, dossier_file):
    # a dossier in June and July 2025 fixes the months the figures cover
    path = dossier_file(
        "X,1.000001,31135,online,2025-06-10 08:00:00,,,processing,false,false,true,true,",
        "Y,1.000004,31135,online,2025-07-31 08:00:00,,,processing,false,false,true,true,",
    )
    assert initialised("import", "dossiers", path).exit_code == 0
    return initialised


def test_catalog_measures_per_agency_and_city(with_dossiers, tmp_path, measures):
    path = tmp_path / "catalog.csv"
    path.write_text(CATALOG, encoding="utf-8")
    result = with_dossiers("import", "procedures", str(path))
    assert result.exit_code == 0, result.output
    found = measures()
    for key, value in EXPECTED.items():
        assert found.get(key, 0) == value, key


def test_gov01_from_the_catalog(with_dossiers, tmp_path, cli):
    path = tmp_path / "catalog.csv"
    path.write_text(CATALOG, encoding="utf-8")
    assert with_dossiers("import", "procedures", str(path)).exit_code == 0
    rows = cli("indicators", "export", "--format", "csv").stdout.splitlines()
    # July: 3 of the 4 procedures in force are online -> 75%
    assert "GOV-01,92,2025-07,3,4,75" in rows
    # GOV-04: fee-bearing with online payment: 2 of 3
    assert any(r.startswith("GOV-04,92,2025-07,2,3,66.666") for r in rows)


def test_a_new_catalog_replaces_the_old_and_keeps_it(with_dossiers, tmp_path, measures):
    first = tmp_path / "first.csv"
    first.write_text(CATALOG, encoding="utf-8")
    assert with_dossiers("import", "procedures", str(first)).exit_code == 0
    again = with_dossiers("import", "procedures", str(first))
    assert again.exit_code == 0 and "0 changed the store" in again.stdout
    second = tmp_path / "second.csv"
    second.write_text(CATALOG.splitlines()[0] + "\n" + CATALOG.splitlines()[1] + "\n", "utf-8")
    assert with_dossiers("import", "procedures", str(second)).exit_code == 0
    assert measures()[("procedures_in_force", "92", "2025-07")] == 1
    manifest = (tmp_path / "data" / "operational" / "CURRENT").read_text().strip()
    text = (tmp_path / "data" / "operational" / manifest).read_text()
    assert '"version": 2' in text and '"version": 1' in text  # both catalog versions kept


def test_the_catalog_from_an_xlsx_workbook(with_dossiers, tmp_path, measures):
    book = Workbook()
    sheet = book.active
    for line in CATALOG.splitlines():
        sheet.append([cell or None for cell in line.split(",")])
    sheet["I4"] = None
    path = tmp_path / "catalog.xlsx"
    book.save(path)
    result = with_dossiers("import", "procedures", str(path))
    assert result.exit_code == 0, result.output
    assert measures()[("procedures_in_force", "92", "2025-07")] == 4


def test_catalog_row_errors(with_dossiers, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        CATALOG.splitlines()[0] + "\n"
        "1.000001,A,92-SXD,city,full,true,false,true,,\n"
        "1.000002,B,92-NOWHERE,city,full,true,false,false,,\n"
        "1.000003,C,92-SXD,district,full,true,false,false,,\n"
        "1.000004,D,92-SXD,city,full,true,false,false,2025-08-01,2025-07-01\n"
        "1.000005,E,92-SXD,city,full,true,false,false,,\n"
        "1.000005,E again,92-SXD,city,full,true,false,false,,\n",
        encoding="utf-8",
    )
    result = with_dossiers("import", "procedures", str(path))
    assert result.exit_code == 3
    out = result.output
    assert "bad.csv:2: error [online-payment-without-fee]" in out
    assert "bad.csv:3: error [unknown-unit] agency_code: unit '92-NOWHERE' is unknown" in out
    assert "bad.csv:4: error [not-a-choice] level: 'district' is not one of city, commune" in out
    assert "bad.csv:5: error [valid-to-before-valid-from]" in out
    assert "bad.csv:7: error [duplicate-key] procedure_code '1.000005' appears again" in out


def test_catalog_before_dossiers_leaves_no_figures_for_other_years(
    initialised, tmp_path, dossier_file, measures
):
    # the catalog alone is computed for the current year; once dossiers of 2024 arrive,
    # the figures cover 2024 only: the earlier ones are withdrawn, not left as zeros
    path = tmp_path / "catalog.csv"
    path.write_text(CATALOG, encoding="utf-8")
    assert initialised("import", "procedures", str(path)).exit_code == 0
    assert any(p[:4] != "2024" for (_, _, p) in measures())
    dossiers = dossier_file(
        "X,1.000001,31135,online,2024-06-10 08:00:00,,,processing,false,false,true,true,"
    )
    assert initialised("import", "dossiers", dossiers).exit_code == 0
    periods = {p for (_, _, p) in measures()}
    assert periods and all(p.startswith("2024") for p in periods), sorted(periods)[-3:]


def test_catalog_changes_are_counted_and_a_fully_rejected_file_changes_nothing(
    with_dossiers, tmp_path, measures
):
    path = tmp_path / "catalog.csv"
    path.write_text(CATALOG, encoding="utf-8")
    first = with_dossiers("import", "procedures", str(path))
    assert "catalog: 5 added, 0 removed, 0 changed" in first.stdout
    edited = CATALOG.replace(
        "1.000002,Cấp phép sửa chữa nhà,92-SXD,city,partial",
        "1.000002,Cấp phép sửa chữa nhà,92-SXD,city,full",
    )
    edited = "\n".join(line for line in edited.splitlines() if not line.startswith("1.000005"))
    path.write_text(edited + "\n", encoding="utf-8")
    second = with_dossiers("import", "procedures", str(path))
    assert "catalog: 0 added, 1 removed, 1 changed" in second.stdout
    before = measures()
    broken = tmp_path / "broken.csv"
    broken.write_text(
        CATALOG.splitlines()[0] + "\n1.000009,X,92-NOWHERE,city,full,true,false,false,,\n", "utf-8"
    )
    third = with_dossiers("import", "procedures", str(broken))
    assert third.exit_code == 3
    assert measures() == before  # the catalog was not emptied
