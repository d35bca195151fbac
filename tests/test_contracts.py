"""The contracts in docs/ are the code's own definitions, and say what the code does.

After changing a feed, a computed measure, an error catalogue or the plan's models, run
`.venv/bin/python scripts/contracts.py` (or `make contracts`) and commit the result.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import frictionless
import jsonschema_rs

from dxplan.contracts import GENERATED, plan_file, stale
from dxplan.contracts.feeds import table_schema
from dxplan.documents import Document
from dxplan.domain.computed import COMPUTED
from dxplan.domain.problems import PLAN_PROBLEMS
from dxplan.ingest.errors import CATALOGUE as ROW_ERRORS
from dxplan.ingest.feeds import DOSSIERS, PROCEDURES
from dxplan.plans import DEFAULT_PLAN
from tests.ingest.test_measures_contract import DOSSIERS as HAND_CHECKED_DOSSIERS

ROOT = Path(__file__).parents[1]
SRC = ROOT / "src" / "dxplan"


def test_the_committed_contracts_are_what_the_code_renders() -> None:
    assert stale(ROOT) == [], "run .venv/bin/python scripts/contracts.py and commit"


def test_no_generated_file_links_outside_the_repository() -> None:
    for generated in GENERATED:
        text = (ROOT / generated.path).read_text("utf-8")
        assert not re.search(r"https?://", text), generated.path


def test_the_dossier_schema_lists_the_feed_column_by_column() -> None:
    schema = table_schema(DOSSIERS)
    fields = {f["name"]: f for f in schema["fields"]}
    assert list(fields) == [c.name for c in DOSSIERS.columns]
    # two versions of a dossier may come in one file: no primary key for a validator
    assert "primaryKey" not in schema and "Keyed by dossier_id" in schema["description"]
    required = [name for name, f in fields.items() if f["constraints"]["required"]]
    assert required == DOSSIERS.required
    assert fields["status"]["constraints"]["enum"] == ["processing", "finished", "withdrawn"]
    assert fields["dossier_id"]["constraints"]["maxLength"] == 64
    assert fields["received_at"]["type"] == "datetime"
    assert "có" in fields["fee_required"]["trueValues"]
    assert [r["code"] for r in schema["rowRules"]] == [r.code for r in DOSSIERS.rules]
    assert all(r["code"] in ROW_ERRORS for r in schema["rowRules"])


def test_the_catalog_schema_has_its_dates_and_key() -> None:
    schema = table_schema(PROCEDURES)
    fields = {f["name"]: f for f in schema["fields"]}
    assert schema["primaryKey"] == ["procedure_code"]
    assert fields["valid_from"]["type"] == "date"
    assert fields["valid_from"]["constraints"]["required"] is False
    assert ".xlsx" in schema["description"]


def _frictionless_problems(tmp_path: Path, feed: str, text: str) -> set[tuple[int, str]]:
    """(row, column) of each cell Frictionless refuses in `text` under docs/schemas/FEED.json."""
    (tmp_path / f"{feed}.csv").write_text(text, encoding="utf-8")
    descriptor = json.loads((ROOT / "docs" / "schemas" / f"{feed}.json").read_text("utf-8"))
    schema = frictionless.Schema.from_descriptor(descriptor)
    resource = frictionless.Resource(f"{feed}.csv", basepath=str(tmp_path), schema=schema)
    report = frictionless.validate(resource)
    return {(row, field) for row, field in report.flatten(["rowNumber", "fieldName"])}


def test_frictionless_reads_the_feed_schemas_as_valid_table_schemas() -> None:
    for feed in ("dossiers", "procedures"):
        descriptor = json.loads((ROOT / "docs" / "schemas" / f"{feed}.json").read_text("utf-8"))
        assert frictionless.Schema.validate_descriptor(descriptor).valid, feed


def test_the_hand_checked_dossiers_validate_with_frictionless(tmp_path: Path) -> None:
    assert _frictionless_problems(tmp_path, "dossiers", HAND_CHECKED_DOSSIERS) == set()


def test_frictionless_refuses_what_the_import_refuses(tmp_path: Path) -> None:
    """Each row breaks one column's rule; a generic validator finds each, where it is."""
    header, good = HAND_CHECKED_DOSSIERS.strip().splitlines()[:2]
    columns = header.split(",")

    def broken(column: str, value: str) -> str:
        cells = good.split(",")
        cells[columns.index(column)] = value
        return ",".join(cells)

    rows = [
        broken("channel", "pigeon"),  # not-a-choice
        broken("received_at", ""),  # missing-value
        broken("fee_required", "maybe"),  # not-boolean
        broken("dossier_id", "D" * 65),  # too-long
        good.replace("D1,", "D1b,", 1),  # valid
    ]
    found = _frictionless_problems(tmp_path, "dossiers", "\n".join([header, *rows]) + "\n")
    # the header is row 1
    assert found == {
        (2, "channel"),
        (3, "received_at"),
        (4, "fee_required"),
        (5, "dossier_id"),
    }


def test_the_plan_schema_accepts_the_shipped_plan_and_refuses_an_unknown_key() -> None:
    schema = json.loads((ROOT / "docs" / "schemas" / "plan.json").read_text("utf-8"))
    validator = jsonschema_rs.validator_for(schema)
    plan = Document.read(DEFAULT_PLAN).plain()
    assert validator.is_valid(plan)
    plan["pillars"][0]["colour"] = "red"
    assert not validator.is_valid(plan)


def test_the_measures_page_lists_every_registered_measure() -> None:
    page = (ROOT / "docs" / "measures.md").read_text("utf-8")
    for measure in COMPUTED:
        assert f"| `{measure.code}` | {measure.names.en} |" in page
        assert measure.definition.vi in page


def _raised_codes(path: Path) -> set[str]:
    """String codes given to Problem(loc, code, ...), DocumentProblem(..., code, ...),
    document.problem(loc, code, ...) or yielded as (index, field, code, message)."""
    positions = {"Problem": 1, "DocumentProblem": 3, "problem": 1}
    codes: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            at = positions.get(str(name))
            if at is not None and len(node.args) > at:
                argument = node.args[at]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    codes.add(argument.value)
        if isinstance(node, ast.Yield) and isinstance(node.value, ast.Tuple):
            items = node.value.elts
            if len(items) == 4 and isinstance(items[2], ast.Constant):
                codes.add(str(items[2].value))
    return codes


def test_every_plan_problem_code_is_in_the_catalogue() -> None:
    files = [SRC / "documents.py", SRC / "workspace.py", *sorted((SRC / "domain").glob("*.py"))]
    raised = set().union(*(_raised_codes(path) for path in files))
    assert {"duplicate-code", "unknown-computed-measure", "yaml"} <= raised, "the scan works"
    missing = sorted(raised - set(PLAN_PROBLEMS))
    assert not missing, f"add {missing} to src/dxplan/domain/problems.py"


def test_every_meaning_written_for_the_plan_file_names_a_real_key() -> None:
    root = plan_file.schema()
    models = {"Plan": root, **root["$defs"]}
    for entry in plan_file._MEANINGS:
        model, key = entry.split(".")
        assert key in models[model].get("properties", {}), entry


def test_the_api_page_lists_the_row_error_catalogue() -> None:
    """docs/api.md writes the row errors by hand (with examples): the same codes, in order."""
    page = (ROOT / "docs" / "api.md").read_text("utf-8")
    section = page.split("### Error catalogue", 1)[1].split("\n### ", 1)[0]
    codes = re.findall(r"^\| `([a-z-]+)` \|", section, flags=re.MULTILINE)
    assert codes == list(ROW_ERRORS)


def test_frictionless_refuses_a_procedure_listed_twice(tmp_path: Path) -> None:
    header = ",".join(c.name for c in PROCEDURES.columns)
    row = "1.004227,Đăng ký khai sinh,92-STP,commune,full,true,false,false,,"
    text = "\n".join([header, row, row.replace("khai sinh", "kết hôn")]) + "\n"
    (tmp_path / "procedures.csv").write_text(text, encoding="utf-8")
    descriptor = json.loads((ROOT / "docs" / "schemas" / "procedures.json").read_text("utf-8"))
    resource = frictionless.Resource(
        "procedures.csv",
        basepath=str(tmp_path),
        schema=frictionless.Schema.from_descriptor(descriptor),
    )
    report = frictionless.validate(resource)
    assert report.flatten(["rowNumber", "type"]) == [[3, "primary-key"]]
