"""A token bucket per sender: how many packets a province may send, and when again.

Each sender's bucket holds at most `burst` packets and fills at `rate_per_minute`; a
packet takes one. An empty bucket refuses the packet with the seconds until the next
one (the answer's Retry-After): the packet is not recorded, the sender sends it again
later and nothing is lost. Buckets are per sender, so one sender's flood never slows
another.

`take` is the arithmetic, pure. The receiver keeps the buckets in the store
(`store.buckets`), so every worker process of `dxplan serve --workers N`, and every
server behind one address, draws from the same bucket: a sender gets the setting's
rate, not N times it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    """A sender's packets in hand (`tokens`) as of `at` (seconds, any clock)."""

    tokens: float
    at: float


def take(
    bucket: Bucket | None, now: float, rate_per_minute: float, burst: int
) -> tuple[Bucket, int]:
    """Refill `bucket` to `now` and take one packet: (the bucket after, 0 = go, else the
    whole seconds to wait). A new sender starts with a full bucket; a clock that went
    back refills nothing."""
    rate = rate_per_minute / 60.0  # packets per second
    if bucket is None:
        bucket = Bucket(float(burst), now)
    elapsed = max(0.0, now - bucket.at)
    tokens = min(float(burst), bucket.tokens + elapsed * rate)
    if tokens >= 1.0:
        return Bucket(tokens - 1.0, max(now, bucket.at)), 0
    return Bucket(tokens, max(now, bucket.at)), max(1, math.ceil((1.0 - tokens) / rate))
