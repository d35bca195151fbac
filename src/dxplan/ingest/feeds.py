"""The two operational feeds as data: columns, types, required fields, and row rules.

This mirrors the contract `shared/formats/operational-data.md` column by column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    STRING = "string"
    ENUM = "enum"
    BOOLEAN = "boolean"
    TIMESTAMP = "timestamp"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = True
    max_length: int | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowRule:
    """A rule across columns; `condition` is SQL over the parsed values, true when broken."""

    code: str
    column: str
    condition: str


@dataclass(frozen=True)
class Feed:
    name: str
    key: str
    columns: tuple[Column, ...]
    rules: tuple[RowRule, ...] = field(default=())
    unit_column: str = ""
    unique_in_file: bool = False  # a key twice in one file is an error (the catalog)
    containers: tuple[str, ...] = (".csv", ".parquet", ".jsonl", ".ndjson")

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


S, E, B, T, D = (
    ColumnType.STRING,
    ColumnType.ENUM,
    ColumnType.BOOLEAN,
    ColumnType.TIMESTAMP,
    ColumnType.DATE,
)

PROCEDURES = Feed(
    name="procedures",
    key="procedure_code",
    unit_column="agency_code",
    unique_in_file=True,
    containers=(".csv", ".parquet", ".jsonl", ".ndjson", ".xlsx"),
    columns=(
        Column("procedure_code", S, max_length=32),
        Column("name", S),
        Column("agency_code", S, max_length=32),
        Column("level", E, choices=("city", "commune")),
        Column("online_level", E, choices=("full", "partial", "none")),
        Column("on_national_portal", B),
        Column("has_fee", B),
        Column("online_payment", B),
        Column("valid_from", D, required=False),
        Column("valid_to", D, required=False),
    ),
    rules=(
        RowRule("online-payment-without-fee", "online_payment", "online_payment AND NOT has_fee"),
        RowRule("valid-to-before-valid-from", "valid_to", "valid_to < valid_from"),
    ),
)

DOSSIERS = Feed(
    name="dossiers",
    key="dossier_id",
    unit_column="unit_code",
    columns=(
        Column("dossier_id", S, max_length=64),
        Column("procedure_code", S, max_length=32),
        Column("unit_code", S, max_length=32),
        Column("channel", E, choices=("online", "direct", "postal")),
        Column("received_at", T),
        Column("due_at", T, required=False),
        Column("finished_at", T, required=False),
        Column("status", E, choices=("processing", "finished", "withdrawn")),
        Column("fee_required", B),
        Column("paid_online", B),
        Column("input_digitized", B),
        Column("result_digitized", B),
        Column("updated_at", T, required=False),
    ),
    rules=(
        RowRule(
            "finished-without-finished-at",
            "finished_at",
            "status = 'finished' AND finished_at IS NULL",
        ),
        RowRule(
            "finished-at-not-finished",
            "finished_at",
            "status <> 'finished' AND finished_at IS NOT NULL",
        ),
        RowRule("finished-before-received", "finished_at", "finished_at < received_at"),
        RowRule("due-before-received", "due_at", "due_at < received_at"),
        RowRule("paid-online-without-fee", "paid_online", "paid_online AND NOT fee_required"),
    ),
)

FEEDS = {feed.name: feed for feed in (PROCEDURES, DOSSIERS)}
