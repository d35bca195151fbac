import pytest

from dxplan.domain import LocalizedText, Organisation, OrganisationError, Unit


def _unit(code, parent=None, kind="commune"):
    return Unit(code=code, names=LocalizedText(vi=f"Đơn vị {code}"), kind=kind, parent=parent)


def test_tree_navigation():
    org = Organisation(
        [
            _unit("92", kind="city"),
            _unit("31120", "92", "ward"),
            _unit("92-SYT", "92", "agency"),
            _unit("92-SYT-1", "92-SYT", "agency"),
        ]
    )
    assert org.root.code == "92"
    assert [u.code for u in org] == ["92", "31120", "92-SYT", "92-SYT-1"]
    assert [u.code for u in org.ancestors("92-SYT-1")] == ["92-SYT", "92"]
    assert [u.code for u in org.children("92")] == ["31120", "92-SYT"]
    assert [u.code for u in org.of_kind("agency")] == ["92-SYT", "92-SYT-1"]
    assert "31120" in org and "99999" not in org


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ([_unit("92", kind="city"), _unit("92", kind="city")], "twice"),
        ([_unit("92", kind="city"), _unit("1", "77")], "unknown parent"),
        ([_unit("92", kind="city"), _unit("93", kind="city")], "exactly one root"),
        ([_unit("92", kind="city"), _unit("a", "b"), _unit("b", "a")], "cycle"),
    ],
)
def test_broken_trees_are_refused(units, message):
    with pytest.raises(OrganisationError, match=message):
        Organisation(units)


def test_names_fall_back_to_english_then_vietnamese():
    names = LocalizedText(vi="  Phường Cái Khế ", en="Cai Khe Ward")
    assert names.vi == "Phường Cái Khế"
    assert names.get("bn") == "Cai Khe Ward"
    assert LocalizedText(vi="Xã A").get("en") == "Xã A"
    # decomposed input (e + combining marks) is stored composed (NFC)
    assert LocalizedText(vi="Ke\u0302\u0301").vi == "Kế"
