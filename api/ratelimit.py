"""Per-client request rate limits (token buckets), one budget for searches, one for editors."""
from __future__ import annotations

import threading
import time


class TokenBucket:
    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, time.monotonic()

    def take(self) -> float:
        """0 when a request may pass, else the seconds to wait."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class RateLimiter:
    def __init__(self, rate: float, burst: float, max_clients: int = 10_000):
        self.rate, self.burst, self.max_clients = rate, burst, max_clients
        self.buckets: dict[str, TokenBucket] = {}
        self.lock = threading.Lock()

    def check(self, client: str) -> float:
        if self.rate <= 0:
            return 0.0
        with self.lock:
            bucket = self.buckets.get(client)
            if bucket is None:
                if len(self.buckets) >= self.max_clients:  # forget the idlest clients
                    for key in sorted(self.buckets, key=lambda k: self.buckets[k].stamp)[: self.max_clients // 10]:
                        del self.buckets[key]
                bucket = self.buckets[client] = TokenBucket(self.rate, self.burst)
            return bucket.take()
