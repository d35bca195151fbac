"""`dxplan national queue`: the packets of one period into the outbox.

The figures are those of `dxplan indicators export` (`exports.figures.indicator_rows`),
read at one instant: never recomputed another way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from dxplan.domain.period import Period
from dxplan.domain.plan import Plan
from dxplan.exports.figures import indicator_rows
from dxplan.national import outbox
from dxplan.national.mapping import load_mapping
from dxplan.national.packets import DATA, build
from dxplan.workspace import Workspace


@dataclass(frozen=True)
class QueueReport:
    """What queuing a period did, and how many data items the period has."""

    queued: outbox.Queued
    data_packets: int
    items: int


def queue_period(workspace: Workspace, plan: Plan, period: Period) -> QueueReport:
    """Queue the catalogue (if it changed) and the data packets of `period` that changed."""
    settings = workspace.settings
    mapping = load_mapping(settings.national_mapping_file)
    # the figures are read in a read transaction (seconds on a big store), so that the
    # write lock is held only to compare and insert packets
    with workspace.engine.connect() as conn:
        rows = list(indicator_rows(conn, plan))
    packets = build(plan, rows, period, mapping, settings.national_packet_size)
    with workspace.writing() as conn:
        queued = outbox.queue(conn, str(period), packets, datetime.now(UTC))
    data = [p for p in packets if p.kind == DATA]
    return QueueReport(queued, len(data), sum(len(p.items) for p in data))
