"""The resources of the open-data package and their fields, defined once.

Each `Resource` becomes a CSV file and a Table Schema in `datapackage.json`
(Frictionless Data's Table Schema: field types, constraints, primary and foreign
keys); the open-data page lists them and docs/open-data.md prints their tables, both
from these definitions. Titles and descriptions are English messages that the page
translates (`_` below only marks them for the catalogs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

from dxplan.domain.indicator import Direction, IndicatorKind
from dxplan.domain.measure import SourceKind
from dxplan.domain.names import LANGUAGES
from dxplan.exports.figures import INDICATOR_HEADER

FieldType = Literal["string", "number", "date"]
PERIOD_PATTERN: Final = r"\d{4}(S[12]|Q[1-4]|-(0[1-9]|1[0-2]))?"
UNITS_OF_MEASURE: Final = ("percent", "number", "rank")


def _(message: str) -> str:
    """Marks `message` for translation; the page translates it when it shows it."""
    return message


DXPLAN_SOURCE: Final = _("dxplan: figures from the one-stop system and the units' approved reports")


@dataclass(frozen=True)
class Field:
    """A column: its name, Table Schema type, meaning and constraints."""

    name: str
    type: FieldType
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    language: str | None = None  # a text in one language: `name_vi`, `name_en`...

    def descriptor(self) -> dict[str, Any]:
        found: dict[str, Any] = {"name": self.name, "type": self.type}
        found["description"] = self.description + (f" ({self.language})" if self.language else "")
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.pattern:
            constraints["pattern"] = self.pattern
        if constraints:
            found["constraints"] = constraints
        return found

    @property
    def kind(self) -> str:
        """The type as docs and the page show it: `string`, `number (required)`, an enum."""
        text: str = self.type
        if self.enum:
            text += " (" + ", ".join(self.enum) + ")"
        return text


@dataclass(frozen=True)
class ForeignKey:
    """Values of `fields` name a row of `resource` by its `reference` fields."""

    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]

    def descriptor(self, own: str) -> dict[str, Any]:
        # a reference to the resource itself is written with an empty name
        return {
            "fields": list(self.fields),
            "reference": {
                "resource": "" if self.resource == own else self.resource,
                "fields": list(self.reference),
            },
        }


@dataclass(frozen=True)
class Resource:
    """One table of the package: `<name>.csv` and its Table Schema."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default=())

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def schema(self) -> dict[str, Any]:
        """The Table Schema of the resource."""
        found: dict[str, Any] = {
            "fields": [f.descriptor() for f in self.fields],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            found["foreignKeys"] = [k.descriptor(self.name) for k in self.foreign_keys]
        return found


def _texts(stem: str, what: str, *, required: bool = False) -> tuple[Field, ...]:
    """`<stem>_vi`, `<stem>_en`, `<stem>_bn`: a text in each language (only Vietnamese
    may be required: the others fall back to it in dxplan, and are empty here)."""
    return tuple(
        Field(f"{stem}_{lang}", "string", what, required and lang == "vi", language=lang)
        for lang in LANGUAGES
    )


PILLARS: Final = Resource(
    "pillars",
    _("Pillars"),
    _("The pillars of the plan, which group its indicators."),
    (
        Field("code", "string", _("pillar code, e.g. GOV"), required=True),
        *_texts("name", _("name"), required=True),
    ),
    ("code",),
)
UNITS: Final = Resource(
    "units",
    _("Units"),
    _("The organisation: the city, its communes and wards, its agencies."),
    (
        Field("code", "string", _("unit code (communes and wards: the official code)"), True),
        *_texts("name", _("name"), required=True),
        # kinds are the plan's own (city, ward, commune, agency for a Vietnamese province)
        Field("kind", "string", _("kind of unit"), True, pattern="[a-z][a-z0-9_-]*"),
        Field("parent", "string", _("code of the unit above; empty for the city")),
    ),
    ("code",),
    (ForeignKey(("parent",), "units", ("code",)),),
)
INDICATORS: Final = Resource(
    "indicators",
    _("Indicators"),
    _("Each public indicator: its names, formula, source, definition and method."),
    (
        Field("code", "string", _("indicator code, e.g. GOV-01"), True),
        Field("pillar", "string", _("code of its pillar"), True),
        *_texts("name", _("name"), required=True),
        Field("kind", "string", _("kind of figure"), True, tuple(k.value for k in IndicatorKind)),
        Field("unit_of_measure", "string", _("unit of the value"), True, UNITS_OF_MEASURE),
        Field(
            "direction", "string", _("which way is better"), True, tuple(d.value for d in Direction)
        ),
        Field("numerator", "string", _("formula of the numerator over measures"), True),
        Field("denominator", "string", _("formula of the denominator; empty when not a ratio")),
        Field(
            "source",
            "string",
            _("where its figures come from"),
            True,
            tuple(s.value for s in SourceKind),
        ),
        Field("lead_agency", "string", _("code of the unit that answers for it"), True),
        *_texts("definition", _("definition")),
        *_texts("methodology", _("how it is measured")),
    ),
    ("code",),
    (
        ForeignKey(("pillar",), "pillars", ("code",)),
        ForeignKey(("lead_agency",), "units", ("code",)),
    ),
)
TARGETS: Final = Resource(
    "targets",
    _("Targets"),
    _("What the plan sets on each public indicator, and by when."),
    (
        Field("indicator", "string", _("indicator code"), True),
        Field("op", "string", _("comparison the value must meet"), True, (">=", ">", "<=", "<")),
        Field("value", "number", _("target value (percent for ratios)"), True),
        Field("deadline", "date", _("day by which the target is due"), True),
        Field("baseline_value", "number", _("value the indicator started from")),
        Field("baseline_period", "string", _("period of the baseline"), pattern=PERIOD_PATTERN),
    ),
    ("indicator",),
    (ForeignKey(("indicator",), "indicators", ("code",)),),
)
_VALUE_FIELDS: Final = {
    "indicator": Field("indicator", "string", _("indicator code"), True),
    "unit_code": Field("unit_code", "string", _("unit code"), True),
    "period": Field(
        "period",
        "string",
        _("period: 2025 (year), 2025S1 (half), 2025Q3 (quarter), 2025-07 (month)"),
        True,
        pattern=PERIOD_PATTERN,
    ),
    "numerator": Field("numerator", "number", _("sum of the numerator over the unit and period")),
    "denominator": Field("denominator", "number", _("sum of the denominator; empty if no ratio")),
    "value": Field("value", "number", _("value (percent for ratios); empty when 0/0")),
}
VALUES: Final = Resource(
    "values",
    _("Indicator values"),
    _("Each public indicator's value by unit and period, as dxplan computes it."),
    # the very columns of `dxplan indicators export`, in its order
    tuple(_VALUE_FIELDS[name] for name in INDICATOR_HEADER),
    ("indicator", "unit_code", "period"),
    (
        ForeignKey(("indicator",), "indicators", ("code",)),
        ForeignKey(("unit_code",), "units", ("code",)),
    ),
)

# in the package's order: what a table refers to comes before it
RESOURCES: Final = {r.name: r for r in (PILLARS, UNITS, INDICATORS, TARGETS, VALUES)}
