"""Receipts of the packets a receiver got, and the indicators each sender declared.

One receipt per sender and message id. An accepted packet's receipt stays as it was
(the message id is taken: the same id again is answered with it); a rejected one's
is replaced by the next attempt under the same id (the sender may correct nothing and
retry after the plan changed, or the receiver's mapping file did).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from dxplan.store.locks import lock, store_name
from dxplan.store.tables import packet_receipts, received_indicators

ACCEPTED = "accepted"
REJECTED = "rejected"


@dataclass(frozen=True)
class Receipt:
    sender: str
    message_id: str
    kind: str | None
    period: str | None
    content_hash: str
    status: str
    item_count: int
    values_written: int
    problems: list[dict[str, str]]
    notes: list[str]
    sent_at: str | None
    received_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """The receipt as the API answers it."""
        return {
            "message_id": self.message_id,
            "sender": self.sender,
            "kind": self.kind,
            "period": self.period,
            "status": self.status,
            "received_at": self.received_at.isoformat(),
            "items": self.item_count,
            "values_written": self.values_written,
            "problems": self.problems,
            "notes": self.notes,
        }


def _from_row(row: Any) -> Receipt:
    m = row._mapping
    return Receipt(
        sender=m["sender"],
        message_id=m["message_id"],
        kind=m["kind"],
        period=m["period"],
        content_hash=m["content_hash"],
        status=m["status"],
        item_count=m["item_count"],
        values_written=m["values_written"],
        problems=list(m["problems"]),
        notes=list(m["notes"]),
        sent_at=m["sent_at"],
        received_at=m["received_at"],
    )


def lock_message(conn: Connection, sender: str, message_id: str) -> None:
    """Make attempts with the same id wait for each other (inside a writing transaction)."""
    lock(conn, [f"packet:{store_name(conn)}:{sender}:{message_id}"])


def get(conn: Connection, sender: str, message_id: str) -> Receipt | None:
    row = conn.execute(
        select(packet_receipts).where(
            packet_receipts.c.sender == sender, packet_receipts.c.message_id == message_id
        )
    ).first()
    return None if row is None else _from_row(row)


def record(conn: Connection, receipt: Receipt, token_name: str) -> None:
    """Store a receipt, replacing a rejected one of the same id."""
    conn.execute(
        delete(packet_receipts).where(
            packet_receipts.c.sender == receipt.sender,
            packet_receipts.c.message_id == receipt.message_id,
            packet_receipts.c.status == REJECTED,
        )
    )
    conn.execute(
        insert(packet_receipts).values(
            sender=receipt.sender,
            message_id=receipt.message_id,
            kind=receipt.kind,
            period=receipt.period,
            content_hash=receipt.content_hash,
            status=receipt.status,
            item_count=receipt.item_count,
            values_written=receipt.values_written,
            problems=receipt.problems,
            notes=receipt.notes,
            sent_at=receipt.sent_at,
            received_at=receipt.received_at,
            token_name=token_name,
        )
    )


def listing(conn: Connection, sender: str | None = None) -> list[Receipt]:
    """Receipts, oldest first (of one sender if given)."""
    query = select(packet_receipts).order_by(packet_receipts.c.id)
    if sender is not None:
        query = query.where(packet_receipts.c.sender == sender)
    return [_from_row(r) for r in conn.execute(query)]


def declare(
    conn: Connection,
    sender: str,
    entries: list[tuple[str, str, dict[str, Any]]],
    message_id: str,
    at: datetime,
) -> int:
    """Register or update a sender's indicators (national code, own code, details);
    return how many were new or changed."""
    stored = {
        r.indicator: (r.sender_code, r.details)
        for r in conn.execute(
            select(received_indicators).where(received_indicators.c.sender == sender)
        )
    }
    changed = [
        (code, own, details) for code, own, details in entries if stored.get(code) != (own, details)
    ]
    if changed:
        conn.execute(
            delete(received_indicators).where(
                received_indicators.c.sender == sender,
                received_indicators.c.indicator.in_([c for c, _, _ in changed]),
            )
        )
        conn.execute(
            insert(received_indicators),
            [
                {
                    "sender": sender,
                    "indicator": code,
                    "sender_code": own,
                    "details": details,
                    "message_id": message_id,
                    "updated_at": at,
                }
                for code, own, details in changed
            ],
        )
    return len(changed)


def declared(conn: Connection, sender: str) -> dict[str, dict[str, Any]]:
    """The indicators `sender` declared: national code → what it said of it."""
    rows = conn.execute(select(received_indicators).where(received_indicators.c.sender == sender))
    return {r.indicator: {"sender_code": r.sender_code, **r.details} for r in rows}
