"""The outbox: packets waiting for, or holding, the national system's answer.

Every function takes a connection; writers run inside `workspace.writing()`. A packet's
message id is drawn once, when it is queued, and never changes: a retry, a restart or
a crash between sending and recording sends the same id again and the receiver dedups.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, select, update

from dxplan.national.packets import CATALOG, Packet
from dxplan.store.locks import lock
from dxplan.store.tables import national_outbox as outbox

ERROR_LENGTH = 2000  # longest receiver message kept


class State(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class Queued:
    """What `queue` did: packets added, already there unchanged, failed ones queued again."""

    added: int
    unchanged: int
    requeued: int


@dataclass(frozen=True)
class Pending:
    """A queued packet, as the sender needs it."""

    id: int
    message_id: str
    kind: str
    period: str
    items: list[dict[str, Any]]


def clip(text: str) -> str:
    return text if len(text) <= ERROR_LENGTH else text[:ERROR_LENGTH] + "…"


def queue(conn: Connection, period: str, packets: list[Packet], at: datetime) -> Queued:
    """Queue the packets that differ from the last one of their slot.

    A packet equal to the last of its slot is not queued again; if that one failed
    (a 4xx), it goes back to the queue with its message id. The catalogue's slot spans
    every period: it is queued again only when the catalogue changed.
    """
    lock(conn, [f"national-outbox:{conn.engine.url.render_as_string(hide_password=True)}"])
    added = unchanged = requeued = 0
    for packet in packets:
        where = [outbox.c.kind == packet.kind, outbox.c.slot == packet.slot]
        if packet.kind != CATALOG:
            where.append(outbox.c.period == period)
        last = conn.execute(
            select(outbox.c.id, outbox.c.content_hash, outbox.c.state)
            .where(*where)
            .order_by(outbox.c.id.desc())
            .limit(1)
        ).first()
        if last is not None and last.content_hash == packet.content_hash:
            if last.state == State.FAILED:
                conn.execute(
                    update(outbox).where(outbox.c.id == last.id).values(state=State.QUEUED)
                )
                requeued += 1
            else:
                unchanged += 1
            continue
        conn.execute(
            outbox.insert().values(
                message_id=str(uuid.uuid4()),
                kind=packet.kind,
                period=period,
                slot=packet.slot,
                content_hash=packet.content_hash,
                items=packet.items,
                item_count=len(packet.items),
                state=State.QUEUED,
                attempts=0,
                queued_at=at,
            )
        )
        added += 1
    return Queued(added, unchanged, requeued)


def pending(conn: Connection) -> list[Pending]:
    """Queued packets in the order they were queued (the catalogue before its data)."""
    rows = conn.execute(
        select(outbox.c.id, outbox.c.message_id, outbox.c.kind, outbox.c.period, outbox.c["items"])
        .where(outbox.c.state == State.QUEUED)
        .order_by(outbox.c.id)
    )
    return [Pending(r.id, r.message_id, r.kind, r.period, list(r[4])) for r in rows]


def attempt(conn: Connection, packet_id: int) -> None:
    """Count an attempt before it is made: a crash during it still counts."""
    conn.execute(
        update(outbox).where(outbox.c.id == packet_id).values(attempts=outbox.c.attempts + 1)
    )


def sent(conn: Connection, packet_id: int, at: datetime, answer: str, note: str | None) -> None:
    """Record a receipt (a 2xx or a 409); `note` says what was odd about it, if anything."""
    conn.execute(
        update(outbox)
        .where(outbox.c.id == packet_id)
        .values(state=State.SENT, sent_at=at, answer=clip(answer), last_error=note)
    )


def failed(conn: Connection, packet_id: int, error: str, answer: str | None) -> None:
    """Record a refusal (a 4xx other than 409): not sent again until queued again."""
    conn.execute(
        update(outbox)
        .where(outbox.c.id == packet_id)
        .values(
            state=State.FAILED,
            last_error=clip(error),
            answer=clip(answer) if answer is not None else None,
        )
    )


def retry_later(conn: Connection, packet_id: int, error: str) -> None:
    """Record why an attempt did not get through; the packet stays queued."""
    conn.execute(update(outbox).where(outbox.c.id == packet_id).values(last_error=clip(error)))


def listing(conn: Connection, period: str | None = None) -> list[dict[str, Any]]:
    """Every packet as `dxplan national status --format json` prints it, oldest first."""
    query = select(
        outbox.c.message_id,
        outbox.c.kind,
        outbox.c.period,
        outbox.c.state,
        outbox.c.attempts,
        outbox.c.last_error,
    ).order_by(outbox.c.id)
    if period is not None:
        query = query.where(outbox.c.period == period)
    return [
        {
            "message_id": r.message_id,
            "kind": r.kind,
            "period": r.period,
            "state": r.state,
            "attempts": r.attempts,
            "last_error": r.last_error,
        }
        for r in conn.execute(query)
    ]


def counts(conn: Connection) -> dict[str, int]:
    """How many packets are in each state (every state present, 0 when none)."""
    found = {state.value: 0 for state in State}
    query = select(outbox.c.state, func.count()).group_by(outbox.c.state)
    for state, count in conn.execute(query):
        found[state] = count
    return found
