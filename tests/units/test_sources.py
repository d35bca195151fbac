"""Units come from the official list and an editable agency file."""

import pytest

from dxplan.documents import DocumentError
from dxplan.domain.organisation import OrganisationError
from dxplan.units import load_organisation, official_units


def test_can_tho_has_103_communes_and_wards_with_official_codes():
    units = official_units("92")
    city, local = units[0], units[1:]
    assert (city.code, city.name, city.kind) == ("92", "Thành phố Cần Thơ", "city")
    assert city.names.en == "Can Tho City"
    assert len(local) == 103
    assert sum(u.kind == "commune" for u in local) == 72
    assert sum(u.kind == "ward" for u in local) == 31
    ninh_kieu = next(u for u in local if u.code == "31135")
    assert (ninh_kieu.name, ninh_kieu.names.en) == ("Phường Ninh Kiều", "Ninh Kieu Ward")


def test_another_province_needs_only_data():
    hanoi = official_units("1")
    assert hanoi[0].name == "Thành phố Hà Nội"
    assert len(hanoi) > 100 and all(u.parent == "1" for u in hanoi[1:])
    assert len(load_organisation("1")) == len(hanoi)  # no agency file shipped: official units
    with pytest.raises(OrganisationError, match="not an official province code"):
        official_units("999")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('parent: "92"\nagencies:\n  - code: X\n    name: {vi: A}\n', 4, "unknown key 'name'"),
        (
            'parent: "92"\nagencies:\n  - code: A\n    names: {vi: A}\n  - code: A\n'
            "    names: {vi: B}\n",
            5,
            "unit code 'A' is taken",
        ),
        ('parent: "92"\nagencies:\n  - code: "bad code"\n    names: {vi: A}\n', 3, "pattern"),
        ('parent: "92"\nagencies:\n  - code: A\n    names: {}\n', 4, "names.vi"),
    ],
)
def test_agency_file_mistakes_name_their_line(tmp_path, text, line, message):
    path = tmp_path / "agencies.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        load_organisation("92", path)
    found = [p for p in caught.value.problems if message in p.message]
    assert found, caught.value.problems
    assert (found[0].file, found[0].line) == (str(path), line)


def test_an_agency_under_an_unknown_parent_is_refused(tmp_path):
    path = tmp_path / "agencies.yaml"
    path.write_text('parent: "93"\nagencies:\n  - code: A\n    names: {vi: A}\n', "utf-8")
    with pytest.raises(DocumentError, match="unknown parent '93'"):
        load_organisation("92", path)


def test_agencies_may_name_a_parent_agency_and_a_declared_kind(tmp_path):
    path = tmp_path / "agencies.yaml"
    path.write_text(
        'parent: "92"\n'
        "agencies:\n"
        "  - {code: 92-SYT, names: {vi: Sở Y tế}}\n"
        "  - {code: 92-SYT-CDC, names: {vi: Trung tâm Kiểm soát bệnh tật}, parent: 92-SYT}\n",
        encoding="utf-8",
    )
    organisation = load_organisation("92", path)
    cdc = organisation["92-SYT-CDC"]
    assert (cdc.parent, cdc.kind) == ("92-SYT", "agency")
    assert [u.code for u in organisation.ancestors("92-SYT-CDC")] == ["92-SYT", "92"]
    # a kind the Vietnamese source does not declare is refused, nothing is loaded
    path.write_text(
        'parent: "92"\nagencies:\n  - {code: 92-X, names: {vi: X}, kind: office}\n',
        encoding="utf-8",
    )
    with pytest.raises(DocumentError, match="unit kind 'office' is not declared"):
        load_organisation("92", path)
