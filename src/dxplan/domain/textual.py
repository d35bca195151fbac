"""Pydantic support for value types written as text in files and JSON (periods, formulas)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic_core import core_schema


def text_schema(cls: type, parse: Callable[[Any], Any]) -> core_schema.CoreSchema:
    """A schema that accepts an instance of `cls` or text for `parse`, and writes `str()`."""
    # described as text in the JSON Schema of a document (docs/plan-file.md)
    from_text = core_schema.no_info_plain_validator_function(
        parse, json_schema_input_schema=core_schema.str_schema()
    )
    return core_schema.json_or_python_schema(
        json_schema=from_text,
        python_schema=core_schema.union_schema([core_schema.is_instance_schema(cls), from_text]),
        serialization=core_schema.plain_serializer_function_ser_schema(str),
    )
