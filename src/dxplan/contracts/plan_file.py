"""The plan file's JSON Schema and its field reference, from the pydantic models."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from dxplan.contracts.files import markdown_table
from dxplan.domain.plan import Plan

Schema = dict[str, Any]


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
                str(prop.get("description", "")),
            ]
            for key, prop in model.get("properties", {}).items()
        ]
        description = str(model.get("description", "")).split("\n\n")[0].replace("\n", " ")
        parts.append(f"### {name}\n\n{description}\n\n" if description else f"### {name}\n\n")
        parts.append(markdown_table(("key", "type", "", "meaning"), rows))
        parts.append("\n")
    return "".join(parts)
