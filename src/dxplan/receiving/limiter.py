"""A token bucket per sender: how many packets a province may send, and when again.

Each sender's bucket holds at most `burst` packets and fills at `rate_per_minute`; a
packet takes one. An empty bucket refuses the packet with the seconds until the next
one (the answer's Retry-After): the packet is not recorded, the sender sends it again
later and nothing is lost. Buckets are per sender, so one sender's flood never slows
another. They live in the server process's memory (with several worker processes,
each has its own: the rate a sender gets is at most workers × the setting).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class SenderLimiter:
    """Token buckets by sender; `take` answers 0 (go) or the seconds to wait."""

    def __init__(
        self, rate_per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate_per_minute / 60.0  # packets per second
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, sender: str) -> int:
        """Take a packet from `sender`'s bucket: 0 if it may go, else whole seconds to wait."""
        with self._lock:
            now = self._clock()
            bucket = self._buckets.setdefault(sender, _Bucket(self.burst, now))
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0
            return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))
