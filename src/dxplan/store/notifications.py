"""The notifications' store: preferences, digests and the sent log, statuses last seen.

A digest is composed (`add_digest`, state `pending`) together with the claims of its
items (`notify_items`, unique per recipient, channel and item key) in one
transaction: an item belongs to one digest for good. Delivery marks it `sending`
before the message leaves and `sent` after the server took it; a run that dies in
between leaves `sending`, and the next run delivers it again with the same message id.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from dxplan.store import audit
from dxplan.store.tables import notify_digests, notify_items, notify_preferences, notify_statuses

PENDING, SENDING, SENT = "pending", "sending", "sent"


@dataclass(frozen=True)
class StoredDigest:
    id: int
    message_id: str
    recipient: str
    channel: str
    day: str
    state: str
    content: dict[str, Any]
    attempts: int
    last_error: str | None


def _digest(row: Any) -> StoredDigest:
    m = row._mapping
    return StoredDigest(
        m["id"],
        m["message_id"],
        m["recipient"],
        m["channel"],
        m["day"],
        m["state"],
        dict(m["content"]),
        m["attempts"],
        m["last_error"],
    )


# -- preferences ----------------------------------------------------------------------------
def preferences(conn: Connection) -> dict[str, dict[str, str]]:
    """Every person's choices: {recipient: {kind or "all": "in" | "out"}}."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for row in conn.execute(select(notify_preferences)):
        found[row.recipient][row.kind] = row.choice
    return dict(found)


def set_preference(
    conn: Connection, recipient: str, kind: str, choice: str | None, *, actor: str
) -> bool:
    """Record `recipient`'s choice for `kind` (None: back to the default); False when
    nothing changed."""
    before = conn.execute(
        select(notify_preferences.c.choice).where(
            notify_preferences.c.recipient == recipient, notify_preferences.c.kind == kind
        )
    ).scalar()
    if before == choice:
        return False
    conn.execute(
        delete(notify_preferences).where(
            notify_preferences.c.recipient == recipient, notify_preferences.c.kind == kind
        )
    )
    if choice is not None:
        conn.execute(
            insert(notify_preferences).values(
                recipient=recipient,
                kind=kind,
                choice=choice,
                recorded_at=datetime.now(UTC),
                recorded_by=actor,
            )
        )
    audit.append(
        conn,
        actor=actor,
        action="notify.preference",
        entity="notify_preference",
        key=f"{recipient}/{kind}",
        before={"choice": before},
        after={"choice": choice},
    )
    return True


# -- digests and the sent log ---------------------------------------------------------------
def told(conn: Connection) -> set[tuple[str, str, str]]:
    """Every (recipient, channel, item key) already given to a digest."""
    rows = conn.execute(
        select(notify_items.c.recipient, notify_items.c.channel, notify_items.c.item_key)
    )
    return {(r.recipient, r.channel, r.item_key) for r in rows}


def digests_of_day(conn: Connection, day: str) -> set[tuple[str, str]]:
    """(recipient, channel) of the digests composed for `day`."""
    rows = conn.execute(
        select(notify_digests.c.recipient, notify_digests.c.channel).where(
            notify_digests.c.day == day
        )
    )
    return {(r.recipient, r.channel) for r in rows}


def add_digest(
    conn: Connection,
    *,
    recipient: str,
    channel: str,
    day: str,
    content: dict[str, Any],
    item_keys: list[str],
) -> StoredDigest:
    """Compose a digest (pending) and claim its items for it."""
    message_id = str(uuid.uuid4())
    inserted = conn.execute(
        insert(notify_digests).values(
            message_id=message_id,
            recipient=recipient,
            channel=channel,
            day=day,
            state=PENDING,
            content=content,
            attempts=0,
            created_at=datetime.now(UTC),
        )
    ).inserted_primary_key
    assert inserted is not None
    digest_id = int(inserted[0])
    conn.execute(
        insert(notify_items),
        [
            {"recipient": recipient, "channel": channel, "item_key": key, "digest_id": digest_id}
            for key in item_keys
        ],
    )
    found = get(conn, digest_id)
    assert found is not None
    return found


def get(conn: Connection, digest_id: int) -> StoredDigest | None:
    row = conn.execute(select(notify_digests).where(notify_digests.c.id == digest_id)).first()
    return None if row is None else _digest(row)


def undelivered(conn: Connection) -> list[StoredDigest]:
    """Digests not sent yet (pending, or sending when a run stopped), oldest first."""
    rows = conn.execute(
        select(notify_digests)
        .where(notify_digests.c.state.in_([PENDING, SENDING]))
        .order_by(notify_digests.c.id)
    )
    return [_digest(r) for r in rows]


def release_stale(conn: Connection, day: str) -> int:
    """Drop digests of days before `day` that never left (pending): their items are
    free again, so today's digest tells what still holds, in one message. A digest left
    `sending` may have arrived: it is kept and sent again as it was."""
    stale = [
        r.id
        for r in conn.execute(
            select(notify_digests.c.id).where(
                notify_digests.c.state == PENDING, notify_digests.c.day < day
            )
        )
    ]
    if stale:
        conn.execute(delete(notify_items).where(notify_items.c.digest_id.in_(stale)))
        conn.execute(delete(notify_digests).where(notify_digests.c.id.in_(stale)))
    return len(stale)


def mark(conn: Connection, digest_id: int, state: str, *, error: str | None = None) -> None:
    """Move a digest to `state`; `sending` counts an attempt, `sent` records when."""
    values: dict[str, Any] = {"state": state, "last_error": error}
    if state == SENDING:
        values["attempts"] = notify_digests.c.attempts + 1
    if state == SENT:
        values["sent_at"] = datetime.now(UTC)
    conn.execute(update(notify_digests).where(notify_digests.c.id == digest_id).values(**values))


def listing(conn: Connection) -> list[dict[str, Any]]:
    """Every digest, newest first, with its item count: `dxplan notify status`."""
    counts = (
        select(notify_items.c.digest_id, func.count().label("n"))
        .group_by(notify_items.c.digest_id)
        .subquery()
    )
    rows = conn.execute(
        select(notify_digests, counts.c.n)
        .outerjoin(counts, counts.c.digest_id == notify_digests.c.id)
        .order_by(notify_digests.c.id.desc())
    )
    return [
        {
            "message_id": r.message_id,
            "recipient": r.recipient,
            "channel": r.channel,
            "day": r.day,
            "state": r.state,
            "items": int(r.n or 0),
            "attempts": r.attempts,
            "last_error": r.last_error,
            "sent_at": r.sent_at.isoformat() if r.sent_at else None,
        }
        for r in rows
    ]


# -- statuses last seen ---------------------------------------------------------------------
def statuses(conn: Connection) -> dict[tuple[str, str, str], str]:
    """{(unit, indicator, period): status} as the last run recorded them."""
    rows = conn.execute(select(notify_statuses))
    return {(r.unit_code, r.indicator, r.period): r.status for r in rows}


def record_statuses(conn: Connection, current: dict[tuple[str, str, str], str]) -> None:
    """Replace the statuses last seen with `current`."""
    conn.execute(delete(notify_statuses))
    now = datetime.now(UTC)
    if current:
        conn.execute(
            insert(notify_statuses),
            [
                {"unit_code": u, "indicator": i, "period": p, "status": s, "recorded_at": now}
                for (u, i, p), s in current.items()
            ],
        )


def last_item_data(conn: Connection, kind: str) -> dict[str, Any]:
    """The data of the newest item of `kind` in a digest that was sent ({} if none)."""
    rows = conn.execute(
        select(notify_digests.c.content)
        .where(notify_digests.c.state == SENT)
        .order_by(notify_digests.c.id.desc())
    )
    for row in rows:
        for item in row.content.get("items", []):
            if item.get("kind") == kind:
                return dict(item.get("data", {}))
    return {}
