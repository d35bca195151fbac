"""The plan's time zone in DuckDB sessions: local months of instants are counted in it."""

from __future__ import annotations

import re
from typing import Final

import duckdb

from dxplan.domain.period import zone_of

_NAME: Final = re.compile(r"^[A-Za-z0-9_+\-/]+$", re.ASCII)


def use_time_zone(con: duckdb.DuckDBPyConnection, timezone: str) -> None:
    """Make `timezone` (an IANA name the plan declared) the session's zone.

    `SET` takes no parameters: the name is checked against the zone database and a
    strict character set before it is written into the statement.
    """
    zone_of(timezone)
    if not _NAME.match(timezone):
        raise ValueError(f"{timezone!r} is not an IANA time zone name")
    con.execute(f"SET TimeZone = '{timezone}'")
