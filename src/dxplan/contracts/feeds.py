"""Table Schemas (the Frictionless Data standard) of the two operational feeds.

Drawn from `ingest/feeds.py`, the definitions the import checks rows against. The
standard's properties say what a generic validator can check (types, required values,
lengths, choices, the key); `rowRules`, an extension, lists the checks across columns
with the error code each one raises.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from dxplan.ingest.errors import CATALOGUE
from dxplan.ingest.feeds import FEEDS, Column, ColumnType, Feed
from dxplan.ingest.validate import FALSE, TRUE

# Table Schema types; a timestamp without an offset is local time (see `describe`)
_TYPES: Final = {
    ColumnType.STRING: "string",
    ColumnType.ENUM: "string",
    ColumnType.BOOLEAN: "boolean",
    ColumnType.TIMESTAMP: "datetime",
    ColumnType.DATE: "date",
}
_TITLES: Final = {"procedures": "Procedure catalog", "dossiers": "Dossier records"}
_VERSIONS: Final = {
    "procedures": "One row per procedure; an import replaces the whole catalog from that "
    "moment on, and the earlier catalogs are kept for the periods of their time.",
    "dossiers": "Keyed by dossier_id. A dossier arrives again as it progresses (in the same "
    "file or a later one): for one dossier_id the record "
    "with the latest updated_at counts; a record without updated_at is newer than every "
    "record of that dossier imported before it; between equal updated_at, the one "
    "imported later counts.",
}


def _field(column: Column) -> dict[str, Any]:
    field: dict[str, Any] = {"name": column.name, "type": _TYPES[column.type]}
    if column.meaning:
        field["description"] = column.meaning.replace("`", "")
    if column.type is ColumnType.BOOLEAN:
        # read in any case: TRUE, True and true are the same
        field["trueValues"] = list(TRUE)
        field["falseValues"] = list(FALSE)
    if column.type is ColumnType.TIMESTAMP:
        field["format"] = "any"  # ISO 8601 with a time of day, with or without an offset
    constraints: dict[str, Any] = {"required": column.required}
    if column.max_length:
        constraints["maxLength"] = column.max_length
    if column.choices:
        constraints["enum"] = list(column.choices)
    field["constraints"] = constraints
    return field


def table_schema(feed: Feed) -> dict[str, Any]:
    """The Table Schema descriptor of `feed`."""
    return {
        "name": feed.name,
        "title": _TITLES.get(feed.name, feed.name),
        "description": (
            f"{_VERSIONS.get(feed.name, '')} Containers: "
            f"{', '.join(feed.containers)}. Timestamps without an offset are in the plan's "
            "local time. Yes/no values and choices are read in any case (TRUE, True, true). "
            "Columns not listed are ignored."
        ).strip(),
        "fields": [_field(column) for column in feed.columns],
        # a dossier may come twice in one file (two versions): its key is not unique there
        **({"primaryKey": [feed.key]} if feed.unique_in_file else {}),
        "missingValues": [""],
        "rowRules": [
            {
                "code": rule.code,
                "column": rule.column,
                "brokenWhen": rule.condition,
                "message": CATALOGUE[rule.code].template,
            }
            for rule in feed.rules
        ],
    }


def _renderer(feed: Feed) -> Callable[[], str]:
    return lambda: json.dumps(table_schema(feed), ensure_ascii=False, indent=2) + "\n"


TABLE_SCHEMAS: Final = {name: _renderer(feed) for name, feed in FEEDS.items()}
