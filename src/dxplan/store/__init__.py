"""The transactional store: plans, units, measure values and the audit log.

SQLite (WAL) in the data folder by default, PostgreSQL in production. Repositories are
modules of functions that take a SQLAlchemy `Connection`, so that a caller can put
several of them in one transaction.
"""

from dxplan.store.db import create_db_engine, is_initialised, migrate
from dxplan.store.writer import Writer

__all__ = ["Writer", "create_db_engine", "is_initialised", "migrate"]
