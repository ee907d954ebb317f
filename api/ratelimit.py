"""Per-client request rate limits (token buckets), one budget for searches, one for editors, and
the middleware that applies them."""
from __future__ import annotations

import threading
import time
from typing import Callable

from .errors import RateLimited, error_response, noted


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


def budget_of(method: str, path: str) -> str | None:
    """Which budget a request spends: editors' writes and jobs, searches (the API and the page), or none."""
    editing = method in ("POST", "DELETE") and path.startswith(("/api/documents", "/api/reindex", "/api/corrections"))
    if editing or path.startswith(("/api/jobs", "/api/questions")):
        return "editor"
    return "search" if path.startswith(("/api/", "/acteurs")) or path == "/" else None


def rate_limits(search_rate: float, editor_rate: float, refused: Callable[[str], None] = lambda budget: None):
    """The middleware answering 429 (with Retry-After) to a client over its budget; a burst may
    reach ten times the rate. ``refused`` is told the budget of each refusal (the metrics)."""
    limiters = {"search": RateLimiter(search_rate, search_rate * 10),
                "editor": RateLimiter(editor_rate, editor_rate * 10)}

    async def rate_limit(request, call_next):
        budget = budget_of(request.method, request.url.path)
        if budget:
            wait = limiters[budget].check(request.client.host if request.client else "?")
            if wait:
                refused(budget)
                noted(request, RateLimited.code)
                return error_response(RateLimited("trop de requêtes : réessayez dans un instant", max(1, round(wait))))
        return await call_next(request)

    return rate_limit
