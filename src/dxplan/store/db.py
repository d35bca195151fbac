"""Connecting to the transactional store and bringing its schema up to date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# the execution option of a writing transaction: on SQLite it begins with the write
# lock taken (`BEGIN IMMEDIATE`); see `store.writer`
WRITING = "dxplan_writing"
BUSY_TIMEOUT_SECONDS = 30  # how long a SQLite writer waits for the write lock


def create_db_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL mode, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the sqlite3 module, opens transactions (see `_begin`)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets the web server read while an import writes
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # sqlite3 would open a transaction only before a write: a SAVEPOINT first would
        # then start one of its own, and releasing it would commit what a rollback of the
        # outer transaction must undo (SQLAlchemy's documented pysqlite recipe)
        writing = conn.get_execution_options().get(WRITING, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Insert `rows` (tuples in the order of `columns`), each with `constants`, through
    the driver's `executemany`.

    The same as `conn.execute(insert(table), dicts)`, without SQLAlchemy's per-row work
    (a dict, parameters built and converted one row at a time), which cost more than
    the database's own insert for a million figures. Each column's conversion for the
    database still applies: a constant's once, a column's per row only where its type
    has one.
    """
    dialect = conn.dialect
    fixed = dict(constants or {})
    names = [*columns, *fixed]
    processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    tail = tuple(
        processor(value) if processor is not None else value
        for processor, value in zip(processors[len(columns) :], fixed.values(), strict=True)
    )
    per_row = [(i, p) for i, p in enumerate(processors[: len(columns)]) if p is not None]
    prepared: list[tuple[Any, ...]] = []
    for row in rows:
        if per_row:
            values = list(row)
            for i, processor in per_row:
                values[i] = processor(values[i])
            prepared.append((*values, *tail))
        else:
            prepared.append((*row, *tail))
    if not prepared:
        return
    quote = dialect.identifier_preparer
    if dialect.name == "postgresql":  # COPY: several times faster than any INSERT
        target = f"{quote.format_table(table)} ({', '.join(quote.quote(n) for n in names)})"
        driver = conn.connection.driver_connection  # this transaction's connection
        assert driver is not None
        cursor = driver.cursor()
        with cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in prepared:
                copy.write_row(row)
        return
    mark = _PLACEHOLDERS[dialect.paramstyle]
    sql = (
        f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(n) for n in names)}) "
        f"VALUES ({', '.join(mark for _ in names)})"
    )
    conn.exec_driver_sql(sql, prepared)


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # loaded only to migrate: every command starts faster

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Apply every migration not yet applied (a no-op on an up-to-date store)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), "head")


def is_initialised(engine: Engine) -> bool:
    """Whether the store has a schema; never creates a database file to find out."""
    url = engine.url
    on_disk = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if on_disk and not Path(str(url.database)).exists():
        return False
    return inspect(engine).has_table("alembic_version")
