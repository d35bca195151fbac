"""The organisation from a units file: any depth, declared kinds, merges, clear errors."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from dxplan.documents import DocumentError
from dxplan.domain.measure import Measure, SourceKind, TimeAggregation
from dxplan.domain.names import LocalizedText
from dxplan.domain.period import Period
from dxplan.domain.unit import Ranking, UnitKind, UnitKinds
from dxplan.reporting.rollup import over_units
from dxplan.store import is_initialised
from dxplan.store import units as unit_store
from dxplan.store.tables import units as units_table
from dxplan.units import load_units_file
from dxplan.workspace import Workspace, check_plan_file

KINDS = UnitKinds(
    kinds=[
        UnitKind(code=code, names=LocalizedText(en=code.title()))
        for code in ("country", "division", "district", "upazila", "union", "office")
    ],
    rankings=[Ranking(code="unions", names=LocalizedText(en="Unions"), kinds=["union"])],
    local=["union"],
)

HEADER = "code,kind,parent_code,name_bn,name_en,valid_from,valid_to,successor_code\n"
# five levels: country -> division -> district -> upazila -> union
GOOD = HEADER + (
    "BD,country,,বাংলাদেশ,Bangladesh,,,\n"
    "BD-40,division,BD,খুলনা বিভাগ,Khulna Division,,,\n"
    "BD-57,district,BD-40,মেহেরপুর জেলা,Meherpur District,,,\n"
    "BD-57-1,upazila,BD-57,গাংনী উপজেলা,Gangni Upazila,,,\n"
    "BD-57-1-A,union,BD-57-1,কাজিপুর ইউনিয়ন,Kazipur Union,2025-07-01,,\n"
    "BD-57-1-B,union,BD-57-1,উত্তর,Old North Union,,2025-06-30,BD-57-1-A\n"
    "BD-57-1-C,union,BD-57-1,দক্ষিণ,Old South Union,,2025-06-30,BD-57-1-A\n"
    "BD-57-OF,office,BD-57,জেলা আইসিটি অফিস,District ICT Office,,,\n"
)


def _write(tmp_path: Path, text: str, name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_any_depth_with_names_per_language_and_merged_units(tmp_path):
    organisation = load_units_file(_write(tmp_path, GOOD), KINDS, ["bn", "en"])
    assert [u.code for u in organisation] == [
        "BD",
        "BD-40",
        "BD-57",
        "BD-57-1",
        "BD-57-1-A",
        "BD-57-OF",
    ]
    union = organisation["BD-57-1-A"]
    assert (union.kind, union.names.bn, union.names.en) == (
        "union",
        "কাজিপুর ইউনিয়ন",
        "Kazipur Union",
    )
    chain = ["BD-57-1", "BD-57", "BD-40", "BD"]
    assert [u.code for u in organisation.ancestors("BD-57-1-A")] == chain
    assert [u.code for u in organisation.local()] == ["BD-57-1-A"]
    # the two old unions are retired: not in the tree, their figures go to the new one
    assert organisation.successors == {"BD-57-1-B": "BD-57-1-A", "BD-57-1-C": "BD-57-1-A"}
    assert organisation.rolls_into("BD-57-1-B") == ["BD-57-1-A", "BD-57-1", "BD-57", "BD-40", "BD"]
    assert "BD-57-1-B" not in organisation


def test_yaml_units_file_reads_the_same(tmp_path):
    text = """units:
  - {code: BD, kind: country, names: {en: Bangladesh}}
  - {code: BD-40, kind: division, parent_code: BD, names: {bn: খুলনা বিভাগ, en: Khulna}}
  - {code: BD-41, kind: division, parent_code: BD, names: {en: Old}, valid_to: 2024-12-31,
     successor_code: BD-40}
"""
    organisation = load_units_file(_write(tmp_path, text, "units.yaml"), KINDS)
    assert [u.code for u in organisation] == ["BD", "BD-40"]
    assert organisation.successors == {"BD-41": "BD-40"}


ROOT = "BD,country,,,Bangladesh,,,\n"


@pytest.mark.parametrize(
    ("rows", "line", "column", "message"),
    [
        # a cycle: B's parent is C, C's parent is B; reported on the first of them
        (ROOT + "B,division,C,,B,,,\nC,division,B,,C,,,\n", 3, 3, "B -> C -> B"),
        (ROOT + "B,division,NOWHERE,,B,,,\n", 3, 3, "unknown parent 'NOWHERE'"),
        (ROOT + "B,division,BD,,B,,,\nB,division,BD,,B2,,,\n", 4, 1, "already on line 3"),
        (ROOT + "B,division,BD,,B,,2024-12-31,GONE\n", 3, 8, "merges into 'GONE'"),
        (ROOT + "B,province,BD,,B,,,\n", 3, 2, "unknown kind 'province'"),
        (ROOT + "B,division,,,B,,,\n", 3, 3, "exactly one unit in force has no parent_code"),
        (ROOT + "B,division,BD,,B,,,C\nC,division,BD,,C,,,\n", 3, 8, "give its last day"),
        (ROOT + "B,division,BD,,B,2025-02-30,,\n", 3, 6, "valid_from"),
        (ROOT + "B,division,BD,,,,,\n", 3, 1, "names"),
        (ROOT + "bad code,division,BD,,B,,,\n", 3, 1, "code"),
        (ROOT + "B,division,BD,,B\n", 3, 1, "5 fields, the header has 8"),
    ],
)
def test_mistakes_name_file_line_and_field(tmp_path, rows, line, column, message):
    path = _write(tmp_path, HEADER + rows)
    with pytest.raises(DocumentError) as caught:
        load_units_file(path, KINDS)
    found = [(p.file, p.line, p.column) for p in caught.value.problems]
    assert (str(path), line, column) in found, caught.value
    assert message in str(caught.value)


def test_header_mistakes(tmp_path):
    path = _write(tmp_path, "code,kind,name_xx\nBD,country,B\n")
    with pytest.raises(DocumentError) as caught:
        load_units_file(path, KINDS)
    text = str(caught.value)
    assert f"{path}:1:3: unknown column 'name_xx'" in text
    assert "missing column 'parent_code'" in text


def test_the_default_language_name_is_required(tmp_path):
    path = _write(tmp_path, HEADER + "BD,country,,,Bangladesh,,,\n")
    with pytest.raises(DocumentError, match="no name in 'bn'") as caught:
        load_units_file(path, KINDS, ["bn", "en"])
    assert caught.value.problems[0].line == 2


def test_a_wrong_file_kind_is_refused(tmp_path):
    with pytest.raises(DocumentError, match=r"\.csv, \.yaml or \.yml"):
        load_units_file(_write(tmp_path, GOOD, "units.xlsx"), KINDS)


PLAN = """code: small-dx
names: {en: A small plan}
languages: [en]
organisation:
  units_file: units.csv
unit_kinds:
  kinds:
    - {code: country, names: {en: Country}}
    - {code: division, names: {en: Division}}
pillars:
  - {code: GOV, names: {en: Government}}
measures:
  - {code: things, names: {en: Things}, source: reported}
indicators:
  - {code: GOV-01, pillar: GOV, names: {en: Things}, kind: number, numerator: things,
     source: reported, lead_agency: "LEAD"}
datasets:
  - code: things
    names: {en: Things}
    fields: [{measure: things}]
    reporters: {kinds: [KIND]}
    periodicity: year
    due_days: 10
"""


def _plan(tmp_path: Path, units: str, lead: str = "92", kind: str = "division") -> Path:
    _write(tmp_path, units)
    return _write(tmp_path, PLAN.replace("LEAD", lead).replace("KIND", kind), "plan.yaml")


def test_a_code_that_is_a_vietnamese_province_stays_in_the_file(tmp_path):
    """Root code 92 is Can Tho's province code: the units file alone answers for it."""
    units = "code,kind,parent_code,name_en\n92,country,,Ninety-two\n92-A,division,92,A\n"
    checked = check_plan_file(_plan(tmp_path, units))
    assert [u.code for u in checked.organisation] == ["92", "92-A"]
    assert checked.organisation["92"].names.get("en") == "Ninety-two"


def test_a_unit_missing_from_the_file_is_an_error_never_a_vietnamese_match(tmp_path):
    units = "code,kind,parent_code,name_en\nBD,country,,Bangladesh\n"
    with pytest.raises(DocumentError, match="unknown unit '31120'"):
        check_plan_file(_plan(tmp_path, units, lead="31120"))  # a Can Tho ward's code


def test_an_undeclared_kind_in_a_data_set_names_its_line(tmp_path):
    units = "code,kind,parent_code,name_en\nBD,country,,Bangladesh\n"
    with pytest.raises(DocumentError) as caught:
        check_plan_file(_plan(tmp_path, units, lead="BD", kind="commune"))
    assert "unknown unit kind 'commune'" in str(caught.value)
    assert caught.value.problems[0].line == 21  # reporters: {kinds: [commune]}


def test_a_units_file_plan_declares_its_kinds(tmp_path):
    units = "code,kind,parent_code,name_en\nBD,country,,Bangladesh\n"
    path = _plan(tmp_path, units, lead="BD")
    text = path.read_text("utf-8")
    start, end = text.index("unit_kinds:"), text.index("pillars:")
    path.write_text(text[:start] + text[end:], "utf-8")
    with pytest.raises(DocumentError, match="declares its kinds under `unit_kinds:`"):
        check_plan_file(path)


def test_a_broken_units_file_stores_nothing(tmp_path, make_settings, database_url):
    units = "code,kind,parent_code,name_en\nBD,country,,Bangladesh\nX,division,Y,X\n"
    settings = make_settings(database_url=database_url, plan_file=_plan(tmp_path, units, "BD"))
    with Workspace(settings) as workspace:
        with pytest.raises(DocumentError, match=r"units\.csv:3:3: unknown parent 'Y'"):
            workspace.initialise()
        assert not is_initialised(workspace.engine) or workspace.organisation() is None


def test_retired_units_are_stored_with_their_successor(tmp_path, make_settings, database_url):
    units = (
        "code,kind,parent_code,name_en,valid_to,successor_code\n"
        "BD,country,,Bangladesh,,\n"
        "BD-1,division,BD,New,,\n"
        "BD-2,division,BD,Old,2024-12-31,BD-1\n"
    )
    settings = make_settings(database_url=database_url, plan_file=_plan(tmp_path, units, "BD"))
    with Workspace(settings) as workspace:
        workspace.initialise()
        organisation = workspace.organisation()
        assert organisation is not None
        assert [u.code for u in organisation] == ["BD", "BD-1"]
        assert organisation.successors == {"BD-2": "BD-1"}
        assert organisation.kinds.codes == ["country", "division"]
        with workspace.engine.connect() as conn:
            inactive = conn.execute(
                select(func.count()).where(units_table.c.active.is_(False))
            ).scalar_one()
            assert inactive == 1
            assert unit_store.organisation(conn) is not None


def test_figures_of_merged_units_roll_into_their_successor(tmp_path):
    """Two unions merged into Kazipur in July 2025: its 2024 figure is their sum, so a
    year-on-year comparison compares like with like; a ratio is sum over sum."""
    organisation = load_units_file(_write(tmp_path, GOOD), KINDS)
    measures = {
        "households": Measure(
            code="households",
            names=LocalizedText(en="Households"),
            source=SourceKind.REPORTED,
            time_aggregation=TimeAggregation.LAST,
        ),
        "online": Measure(
            code="online",
            names=LocalizedText(en="Online"),
            source=SourceKind.REPORTED,
            time_aggregation=TimeAggregation.LAST,
        ),
    }
    year = Period.parse("2024")
    base = {
        ("households", "BD-57-1-B", year): 1200.0,
        ("households", "BD-57-1-C", year): 800.0,
        ("online", "BD-57-1-B", year): 300.0,
        ("online", "BD-57-1-C", year): 500.0,
    }
    rolled = over_units(base, measures, organisation)
    assert rolled[("households", "BD-57-1-A", year)] == 2000.0
    assert rolled[("online", "BD-57-1-A", year)] == 800.0  # 40 %, not the mean 32.5 %
    assert rolled[("households", "BD", year)] == 2000.0


def test_a_units_own_figure_stands_for_the_units_under_it(tmp_path):
    """The district gives its total (1,000) and one union under it gives its own (300):
    the division and the country count the district's 1,000 once, not 1,300; the
    upazila between them, without a figure of its own, holds the union's 300."""
    organisation = load_units_file(_write(tmp_path, GOOD), KINDS)
    measures = {
        "households": Measure(
            code="households", names=LocalizedText(en="Households"), source=SourceKind.REPORTED
        )
    }
    year = Period.parse("2024")
    base = {
        ("households", "BD-57", year): 1000.0,
        ("households", "BD-57-1-A", year): 300.0,
    }
    rolled = over_units(base, measures, organisation)
    assert rolled == {
        ("households", "BD-57-1", year): 300.0,
        ("households", "BD-40", year): 1000.0,
        ("households", "BD", year): 1000.0,
    }


def test_the_documented_merge_example(tmp_path):
    """docs/units-file.md's example loads, and its figures are the ones the page gives."""
    page = (Path(__file__).parents[2] / "docs" / "units-file.md").read_text("utf-8")
    block = page.split("```csv\n", 1)[1].split("```", 1)[0]
    organisation = load_units_file(_write(tmp_path, block), KINDS, ["bn", "en"])
    assert organisation.successors == {"BD-57-B": "BD-57-A", "BD-57-C": "BD-57-A"}
    measures = {
        code: Measure(code=code, names=LocalizedText(en=code), source=SourceKind.REPORTED)
        for code in ("households", "online")
    }
    year = Period.parse("2024")
    base = {
        ("households", "BD-57-B", year): 1200.0,
        ("online", "BD-57-B", year): 300.0,
        ("households", "BD-57-C", year): 800.0,
        ("online", "BD-57-C", year): 500.0,
    }
    rolled = over_units(base, measures, organisation)
    households = rolled[("households", "BD-57-A", year)]
    online = rolled[("online", "BD-57-A", year)]
    assert (households, online, 100 * online / households) == (2000.0, 800.0, 40.0)
    assert "800 online: 40 % (800 / 2,000)" in page.replace("\n", " ")


def test_yaml_mistakes_name_their_line(tmp_path):
    text = """units:
  - {code: BD, kind: country, names: {en: Bangladesh}}
  - code: B
    kind: division
    parent_code: NOWHERE
    names: {en: B}
"""
    path = _write(tmp_path, text, "units.yml")
    with pytest.raises(DocumentError) as caught:
        load_units_file(path, KINDS)
    assert f"{path}:5:5: unknown parent 'NOWHERE'" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bin.csv", b"\xff\xfe\x00\x01garbage", "can't decode"),
        (
            "nul.csv",
            b"code,kind,parent_code,name_en\nBD,country,,A\x00B\n",
            ":2:4: name_en: a control",
        ),
        (
            "long.csv",
            b"code,kind,parent_code,name_en\nBD,country,,A" + b"A" * 5000 + b"\n",
            ":2:4: name_en: longer than 1000",
        ),
        (
            "twice.csv",
            b"code,kind,parent_code,name_en,name_en\nBD,country,,A,B\n",
            "'name_en' appears twice",
        ),
        (
            "long.yaml",
            b"units:\n  - {code: BD, kind: country, names: {en: " + b"A" * 1001 + b"}}\n",
            ":2:39: en: longer than 1000",
        ),
        (
            "nul.yaml",
            b'units:\n  - {code: BD, kind: country, names: {en: "A\\0B"}}\n',
            ":2:39: en: a control",
        ),
    ],
)
def test_unusable_files_are_refused_with_their_place(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentError, match=message):
        load_units_file(path, KINDS)
