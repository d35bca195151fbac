"""Writing figures: `store.db.insert_rows` against SQLAlchemy's executemany of the same rows.

    .venv/bin/python bench/values.py [--rows 200000] [--repeat 3] [--database URL]

The country's first full compute writes 1.3 million figures (bench/country.py); a
recompute of the demo about 50,000. Both ways insert the same rows into an empty
`measure_values` (the units they name made first) in a transaction that is rolled back,
alternating, best of `--repeat`; the ratio is the verdict (the machine is shared).
Without --database: a SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, insert

from dxplan.store.db import create_db_engine, insert_rows
from dxplan.store.tables import measure_values, metadata, units

COLUMNS = ("measure_code", "unit_code", "period", "value", "version")


def _month(k: int) -> str:
    return f"{2000 + k // 12}-{k % 12 + 1:02d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", help="a database URL (tables made and dropped there)")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    engine = create_db_engine(url)
    metadata.create_all(engine, tables=[units, measure_values])
    now = datetime.now(UTC)
    count = max(1, args.rows // 400)
    with engine.begin() as conn:
        conn.execute(
            insert(units),
            [
                {"code": f"u{i}", "kind": "ward", "parent_code": None, "names": {}}
                | {"position": i, "active": True, "updated_at": now}
                for i in range(count)
            ],
        )
    rows = [  # every key once: 10 measures × the units × a month of its own
        (f"m{i % 10}", f"u{i // 10 % count}", _month(i // (10 * count)), float(i), 1)
        for i in range(args.rows)
    ]
    constants = {"source": "computed", "recorded_by": "bench", "recorded_at": now}

    def sqlalchemy(conn: Connection) -> None:
        conn.execute(
            insert(measure_values), [dict(zip(COLUMNS, r, strict=True)) | constants for r in rows]
        )

    def driver(conn: Connection) -> None:
        insert_rows(conn, measure_values, COLUMNS, rows, constants)

    ways: dict[str, Callable[[Connection], None]] = {
        "sqlalchemy": sqlalchemy,
        "insert_rows": driver,
    }
    best = dict.fromkeys(ways, float("inf"))
    for _ in range(args.repeat):
        for name, way in ways.items():
            with engine.connect() as conn:
                transaction = conn.begin()
                started = time.perf_counter()
                way(conn)
                best[name] = min(best[name], time.perf_counter() - started)
                transaction.rollback()
    if args.database:
        metadata.drop_all(engine, tables=[measure_values, units])
    print(f"{args.rows:,} figures into {engine.dialect.name}, best of {args.repeat}:")
    for name, seconds in best.items():
        print(f"  {name:12} {seconds:6.2f} s   {seconds / best['sqlalchemy']:.2f}×")


if __name__ == "__main__":
    main()
