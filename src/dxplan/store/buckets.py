"""The senders' token buckets, kept in the store so that every server process shares them.

One row per sender: the packets in hand and when that was counted (seconds since the
epoch: the clock every process shares). `take` is called in a writing transaction of
its own, before the packet is read: on PostgreSQL the sender's advisory lock makes
packets of one sender take turns (other senders never wait for it); on SQLite the
transaction holds the write lock already.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from dxplan.receiving.limiter import Bucket
from dxplan.receiving.limiter import take as take_from
from dxplan.store.locks import lock
from dxplan.store.tables import sender_buckets


def take(conn: Connection, sender: str, now: float, rate_per_minute: float, burst: int) -> int:
    """Take one packet from `sender`'s bucket: 0 if it may go, else whole seconds to wait."""
    lock(conn, [f"bucket:{sender}"])
    row = conn.execute(
        select(sender_buckets.c.tokens, sender_buckets.c.at).where(
            sender_buckets.c.sender == sender
        )
    ).first()
    bucket, wait = take_from(
        None if row is None else Bucket(float(row.tokens), float(row.at)),
        now,
        rate_per_minute,
        burst,
    )
    values = {"tokens": bucket.tokens, "at": bucket.at}
    if row is None:
        conn.execute(insert(sender_buckets).values(sender=sender, **values))
    else:
        conn.execute(
            update(sender_buckets).where(sender_buckets.c.sender == sender).values(**values)
        )
    return wait
