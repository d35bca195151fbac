"""Ingest: read feed files, validate every row, upsert into the operational store."""

from dxplan.ingest.errors import CATALOGUE, ErrorReport, RowError, UnusableInput
from dxplan.ingest.feeds import DOSSIERS, FEEDS, PROCEDURES, Feed

__all__ = [
    "CATALOGUE",
    "DOSSIERS",
    "FEEDS",
    "PROCEDURES",
    "ErrorReport",
    "Feed",
    "RowError",
    "UnusableInput",
]
