"""Rate limits (requests and tokens per minute) and retry backoff."""

from __future__ import annotations

import asyncio
import random
import time


class Bucket:
    """A token bucket refilled continuously at ``per_minute / 60`` per second.

    The capacity is a few seconds' worth, so a run starts promptly but never bursts a
    whole minute's quota at once.
    """

    def __init__(self, per_minute: float, burst_seconds: float = 2.0) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate * burst_seconds)
        self.tokens = self.capacity
        self.last = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now

    async def acquire(self, n: float = 1.0) -> None:
        n = min(n, self.capacity)  # a request larger than the bucket still gets through
        while True:
            self._refill()
            if self.tokens >= n:
                self.tokens -= n
                return
            await asyncio.sleep((n - self.tokens) / self.rate)

    def adjust(self, n: float) -> None:
        """Charge (or refund) the difference between the estimate and the real usage;
        the balance may go negative, which delays later requests."""
        self._refill()
        self.tokens -= n


def backoff(
    attempt: int, base: float, cap: float, retry_after: float | None, retry_after_max: float
) -> float:
    """Exponential backoff with full jitter; a server's Retry-After wins when given."""
    if retry_after is not None:
        return min(retry_after, retry_after_max) + random.uniform(0, base * 0.1)
    return random.uniform(0.5, 1.0) * min(cap, base * 2.0 ** (attempt - 1))
