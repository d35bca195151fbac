"""The two operational feeds as data: columns, types, required fields, and row rules.

The feeds are a contract with the source systems; `docs/operational-data.md` shows
these definitions as tables (a test checks that the page and this module agree).
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
    meaning: str = ""


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
        Column(
            "procedure_code", S, max_length=32, meaning="national code, e.g. `1.004227`; the key"
        ),
        Column("name", S, meaning="official name"),
        Column(
            "agency_code", S, max_length=32, meaning="the responsible unit, one of the organisation"
        ),
        Column("level", E, choices=("city", "commune"), meaning="the level that handles it"),
        Column(
            "online_level",
            E,
            choices=("full", "partial", "none"),
            meaning="online public service level",
        ),
        Column("on_national_portal", B, meaning="provided on the National Public Service Portal"),
        Column("has_fee", B, meaning="carries a fee or charge"),
        Column("online_payment", B, meaning="can be paid online (only with a fee)"),
        Column(
            "valid_from",
            D,
            required=False,
            meaning="in force from this day (inclusive); empty: always",
        ),
        Column(
            "valid_to",
            D,
            required=False,
            meaning="in force until this day (inclusive); empty: still",
        ),
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
        Column("dossier_id", S, max_length=64, meaning="the key, e.g. `H13.92-250701-0001`"),
        Column(
            "procedure_code",
            S,
            max_length=32,
            meaning="its procedure (a code not in the catalog is kept)",
        ),
        Column(
            "unit_code", S, max_length=32, meaning="the receiving unit, one of the organisation"
        ),
        Column("channel", E, choices=("online", "direct", "postal"), meaning="how it was received"),
        Column("received_at", T, meaning="when it was received"),
        Column("due_at", T, required=False, meaning="its legal deadline; empty: none"),
        Column(
            "finished_at", T, required=False, meaning="when it was finished (only when `finished`)"
        ),
        Column(
            "status",
            E,
            choices=("processing", "finished", "withdrawn"),
            meaning="where it stands now",
        ),
        Column("fee_required", B, meaning="a fee is due"),
        Column("paid_online", B, meaning="paid online (only with a fee)"),
        Column("input_digitized", B, meaning="its components were digitised at intake"),
        Column("result_digitized", B, meaning="its result was issued or digitised electronically"),
        Column(
            "updated_at", T, required=False, meaning="the version of this record (the newest wins)"
        ),
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
