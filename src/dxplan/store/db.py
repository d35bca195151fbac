"""Connecting to the transactional store and bringing its schema up to date."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect
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
