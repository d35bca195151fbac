"""The plan file's JSON Schema and its field reference, from the pydantic models."""

from __future__ import annotations

import json
from collections import deque
from typing import Any, Final

from dxplan.contracts.files import markdown_table
from dxplan.domain.plan import Plan

Schema = dict[str, Any]

# What a key means, for the keys whose model gives no `description` of its own.
_MEANINGS: Final = {
    "Plan.code": "the plan's identifier, stable across versions",
    "Plan.names": "the plan's title",
    "Plan.source": "the document the plan comes from",
    "Plan.pillars": "groups of indicators, each scored",
    "Plan.measures": "the data elements: one number per unit and period",
    "Plan.indicators": "what the plan watches: formulas over measures, with targets",
    "Plan.datasets": "the periodic reports units send",
    "Plan.focal_points": "which units must name a focal point",
    "LocalizedText.vi": "Vietnamese",
    "LocalizedText.en": "English (else the Vietnamese text is shown)",
    "LocalizedText.bn": "Bengali (else English, else Vietnamese)",
    "Pillar.code": "two to five capital letters, e.g. `GOV`",
    "Measure.code": "stable identifier used in formulas and feeds",
    "Measure.source": "who fills it: reported by units, or computed by dxplan from the "
    "dossiers, the catalog or its own records (measures.md lists those), or `received` "
    "in the provinces' packets (a national dxplan, national-feed.md)",
    "Measure.time_aggregation": "a longer period: `sum` of its months (a flow) or the "
    "`last` value (a stock)",
    "Measure.unit_aggregation": "a parent unit: `sum` of the units under it, or `none` "
    "(only the unit's own value)",
    "Indicator.code": "stable identifier, e.g. `GOV-03`",
    "Indicator.pillar": "the code of its pillar",
    "Indicator.kind": "`ratio`: numerator / denominator × 100; `number`: the numerator; "
    "`rank`: a position, 1 is best",
    "Indicator.numerator": "a formula: measure codes, numbers, `+` and `-`",
    "Indicator.denominator": "a formula, for a ratio",
    "Indicator.direction": "which way is better",
    "Indicator.source": "where its figures come from",
    "Indicator.lead_agency": "the code of the unit answerable for it",
    "Indicator.confidential": "shown to signed-in readers with the right only; true when "
    "it reads a confidential data set",
    "Indicator.target": "none: the indicator is monitored",
    "DataSet.fields": "the measures on the form, in order",
    "DataSet.reporters": "who reports",
    "DataSet.values_for": "`reporter`: its own figures; `communes`: one value per commune "
    "and ward; `root`: the figure of the whole organisation",
    "DataSet.periodicity": "how often it is reported",
    "DataSet.convention": "the days a period covers: the calendar's, or Decree 09/2019's "
    "(the 15th before to the 14th of the last month)",
    "DataSet.confidential": "its values are confidential",
    "DataSet.checks": "rules across its measures",
    "FocalPoints.kinds": "the kinds of unit that must name one",
    "Target.op": "`value op target` is met",
    "Target.value": "in percent for a ratio",
    "Target.deadline": "a date, e.g. 2025-12-31",
    "Target.baseline": "where the indicator started",
    "FormField.measure": "a reported measure of the plan",
    "FormField.type": "whole numbers or decimals",
    "FormField.required": "the form cannot be submitted without it",
    "FormField.min": "the smallest value accepted",
    "FormField.max": "the largest value accepted",
    "Reporters.units": "unit codes",
    "Reporters.kinds": "every active unit of these kinds",
    "Check.rule": "`at_most`: measure ≤ limit; `sum`: the parts add up to the total",
    "Check.measure": "for at_most",
    "Check.limit": "for at_most: the measure it may not exceed",
    "Check.parts": "for sum",
    "Check.total": "for sum",
    "Baseline.value": "the indicator's value then",
    "Baseline.period": "a period identifier, e.g. `2024`",
}


def schema() -> Schema:
    """The JSON Schema of a plan file (as validated: defaults are optional keys)."""
    return Plan.model_json_schema(mode="validation")


def json_schema() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type(node: Schema, defs: dict[str, Schema]) -> str:
    """A reader's description of a property's type."""
    if "$ref" in node:
        target = defs[_name(node["$ref"])]
        if "enum" in target:
            return "one of " + ", ".join(f"`{v}`" for v in target["enum"])
        return f"[{_name(node['$ref'])}](#{_name(node['$ref']).lower()})"
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        return " or ".join(_type(o, defs) for o in options)
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type", "any")
    if kind == "array":
        text = f"list of {_type(node.get('items', {}), defs)}"
        if "minItems" in node:
            text += f" (at least {node['minItems']})"
        return text
    limits = []
    if "pattern" in node:
        limits.append(f"matching `{node['pattern']}`")
    if "maxLength" in node:
        limits.append(f"at most {node['maxLength']} characters")
    for key, word in (
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("exclusiveMaximum", "<"),
    ):
        if key in node:
            limits.append(f"{word} {node[key]}")
    names = {"string": "text", "number": "number", "integer": "whole number", "boolean": "yes/no"}
    text = names.get(kind, str(kind))
    return f"{text} {', '.join(limits)}" if limits else text


def _default(node: Schema, required: bool) -> str:
    if required:
        return "required"
    if "default" not in node or node["default"] is None:
        return "optional"
    default = node["default"]
    if isinstance(default, bool):
        return "default " + ("true" if default else "false")
    if default == []:
        return "default none"
    return f"default `{default}`"


def _models(root: Schema, defs: dict[str, Schema]) -> list[tuple[str, Schema]]:
    """Plan first, then every object model in the order a reader meets it."""
    order: list[tuple[str, Schema]] = [("Plan", root)]
    seen, queue = {"Plan"}, deque([root])
    while queue:
        model = queue.popleft()
        for prop in model.get("properties", {}).values():
            for ref in _refs(prop):
                target = defs[ref]
                if ref not in seen and target.get("type") == "object":
                    seen.add(ref)
                    order.append((ref, target))
                    queue.append(target)
    return order


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [_name(node["$ref"])] if "$ref" in node else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def reference() -> str:
    """Every model of the plan file: its keys, their types, defaults and meaning."""
    root = schema()
    defs: dict[str, Schema] = root.get("$defs", {})
    parts = []
    for name, model in _models(root, defs):
        required = set(model.get("required", ()))
        rows = [
            [
                f"`{key}`",
                _type(prop, defs),
                _default(prop, key in required),
                str(prop.get("description", _MEANINGS.get(f"{name}.{key}", ""))),
            ]
            for key, prop in model.get("properties", {}).items()
        ]
        description = str(model.get("description", "")).split("\n\n")[0].replace("\n", " ")
        parts.append(f"### {name}\n\n{description}\n\n" if description else f"### {name}\n\n")
        parts.append(markdown_table(("key", "type", "", "meaning"), rows))
        parts.append("\n")
    return "".join(parts)
