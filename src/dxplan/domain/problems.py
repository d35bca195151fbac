"""The catalogue of plan problems: every code a plan file can be refused with.

A problem is printed as FILE:LINE:COLUMN: message; its code is stable and is what
programs (and `docs/errors.md`, generated from this catalogue) rely on. A test checks
that every code the reader and the plan's checks raise is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Stage(StrEnum):
    """When a plan file's problem is found."""

    FILE = "file"  # reading the file: it cannot be opened or is not YAML
    SCHEMA = "schema"  # checking each key against the plan's schema
    PLAN = "plan"  # checking the parts of the plan against each other and the units


@dataclass(frozen=True)
class ProblemType:
    code: str
    stage: Stage
    description: str


PLAN_PROBLEMS: Final = {
    p.code: p
    for p in (
        ProblemType("unreadable", Stage.FILE, "The file cannot be read, or is not UTF-8."),
        ProblemType(
            "yaml",
            Stage.FILE,
            "The file is not valid YAML (a syntax error, a key twice), or is not a mapping.",
        ),
        ProblemType(
            "organisation",
            Stage.FILE,
            "The units file or agency list does not form one tree (a unit twice, an unknown "
            "parent, a cycle).",
        ),
        ProblemType("extra_forbidden", Stage.SCHEMA, "A key the schema does not know."),
        ProblemType("missing", Stage.SCHEMA, "A required key is absent."),
        ProblemType(
            "(other schema codes)",
            Stage.SCHEMA,
            "A value of the wrong type or form, with pydantic's code for it: "
            "`string_pattern_mismatch`, `enum`, `date_from_datetime_parsing`, "
            "`greater_than`, `value_error` (a formula that cannot be read)...",
        ),
        ProblemType("duplicate-code", Stage.PLAN, "A code appears twice in one section."),
        ProblemType(
            "unknown-unit",
            Stage.PLAN,
            "The organisation, a lead agency, a reporting unit or a task's lead or supporting "
            "unit is not in the organisation.",
        ),
        ProblemType(
            "bad-period",
            Stage.PLAN,
            "The plan's period is not one whole year of its calendar (`2025`, or `FY2026` "
            "for a fiscal year), or a baseline's period is not a period of that calendar.",
        ),
        ProblemType(
            "missing-language",
            Stage.PLAN,
            "A name or text has nothing in one of the plan's `languages`.",
        ),
        ProblemType(
            "unknown-kind",
            Stage.PLAN,
            "A data set's reporters or the focal-point registry name a kind of unit the "
            "organisation does not declare.",
        ),
        ProblemType(
            "unknown-pillar", Stage.PLAN, "An indicator or a task names a pillar the plan lacks."
        ),
        ProblemType(
            "unknown-indicator", Stage.PLAN, "A task names an indicator the plan does not declare."
        ),
        ProblemType("due-before-start", Stage.PLAN, "A task is due before it starts."),
        ProblemType(
            "unknown-measure",
            Stage.PLAN,
            "A formula, data set field or check names a measure the plan (or the data set) "
            "does not declare.",
        ),
        ProblemType(
            "unknown-computed-measure",
            Stage.PLAN,
            "A dossier, catalog or platform measure that dxplan does not compute; the "
            "message lists the ones it does (see measures.md).",
        ),
        ProblemType(
            "wrong-source",
            Stage.PLAN,
            "A measure dxplan computes, declared with another source than the one it is "
            "computed from.",
        ),
        ProblemType(
            "wrong-aggregation",
            Stage.PLAN,
            "A measure dxplan computes, declared with another time or unit aggregation "
            "than its definition's.",
        ),
        ProblemType(
            "confidential-measure",
            Stage.PLAN,
            "A public indicator reads a measure of a confidential data set.",
        ),
        ProblemType(
            "not-reported", Stage.PLAN, "A data set field names a measure that is not reported."
        ),
        ProblemType("reported-twice", Stage.PLAN, "Two data sets report the same measure."),
    )
}
