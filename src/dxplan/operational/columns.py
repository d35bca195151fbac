"""The stored dossier row: its columns and types, and SQL helpers shared by its readers.

Month partitions and the delta (`partitions.py`) hold rows of exactly these columns in
this order; instants are epoch microseconds, months local keys like 202507.
"""

from __future__ import annotations

CONTENT = (
    "dossier_id, procedure_code, unit_code, channel, received_at, due_at, finished_at, "
    "status, fee_required, paid_online, input_digitized, result_digitized, updated_at"
)
STORED = f"{CONTENT}, import_no, seq, received_month, finished_month"
CONTENT_COLUMNS = tuple(c.strip() for c in CONTENT.split(","))
STORED_TYPES = {
    "dossier_id": "VARCHAR",
    "procedure_code": "VARCHAR",
    "unit_code": "VARCHAR",
    "channel": "VARCHAR",
    "received_at": "BIGINT",
    "due_at": "BIGINT",
    "finished_at": "BIGINT",
    "status": "VARCHAR",
    "fee_required": "BOOLEAN",
    "paid_online": "BOOLEAN",
    "input_digitized": "BOOLEAN",
    "result_digitized": "BOOLEAN",
    "updated_at": "BIGINT",
    "import_no": "INTEGER",
    "seq": "BIGINT",
    "received_month": "INTEGER",
    "finished_month": "INTEGER",
}


def empty_select(types: dict[str, str]) -> str:
    """A SELECT with these typed columns and no rows (a store before its first import)."""
    columns = ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in types.items())
    return f"SELECT {columns} WHERE false"


def sql_path(path: object) -> str:
    """A file path as a SQL string literal (paths come from settings, not from files)."""
    return "'" + str(path).replace("'", "''") + "'"
