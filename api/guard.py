"""What is checked before a request's body is read: an editor request's token (401 at once, however large
the body), the declared size (413 at once), then the body as it streams in — bounded in size and in time,
so a slow or endless body (slow loris) gets a 408 instead of holding a worker. Failed authentications
spend their own per-client budget (``CATALYSE_EDITOR_RATE`` again; 429 past it), not the editors' allowance."""
from __future__ import annotations

import asyncio
import time

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest.errors import CatalyseError

from .deps import editor_refusal
from .errors import AmbiguousLength, BadToken, RateLimited, SlowBody, TooLarge, error_response
from .ratelimit import RateLimiter, budget_of
from .service import Service

OTHER_BODY_BYTES = 1024 * 1024     # any other body: the longest JSON one (100,000 characters of text) fits
MULTIPART_MARGIN = 128 * 1024      # an upload's form fields (metadata: 64 KB at most) and part headers
BODY_IDLE_S = 20                   # at most this long without a byte of the body…
BODY_MIN_RATE = 20 * 1024          # …and the whole body at 20 KB/s at least (50 MB in 43 min), after
BODY_GRACE_S = 30                  # a first half-minute


class BodyRefused(HTTPException):
    """Raised while the body streams in; FastAPI lets its HTTPException through its body parsing, and
    errors.py answers it with its CatalyseError."""

    def __init__(self, error: CatalyseError):
        super().__init__(status_code=400, detail=str(error))
        self.error = error


def _header(scope: Scope, name: bytes) -> list[bytes]:
    return [value for key, value in scope["headers"] if key.lower() == name]


def body_limit(service: Service, scope: Scope) -> int:
    if scope["method"] == "POST" and scope["path"] == "/api/documents":
        return int(service.config.max_upload_mb * 1024 * 1024) + MULTIPART_MARGIN
    return OTHER_BODY_BYTES


def too_large(limit: int) -> TooLarge:
    return TooLarge(f"requête trop volumineuse (au plus {limit / 2 ** 20:.0f} Mo)")


class RequestGuard:
    """The headers, before anything else runs: outside the rate limits, so a bad token spends its own budget."""

    def __init__(self, app: ASGIApp, service: Service):
        self.app, self.service = app, service
        rate = service.config.editor_rate       # as many failures as editor requests, counted apart
        self.failed_auth = RateLimiter(rate, rate * 10)

    def refusal(self, scope: Scope) -> CatalyseError | None:
        """A reason to answer before reading anything: a bad token, a declared size over the limit."""
        if budget_of(scope["method"], scope["path"]) == "editor":
            authorization = b"".join(_header(scope, b"authorization")).decode("latin-1")
            refused = editor_refusal(self.service, authorization)
            if isinstance(refused, BadToken):
                client = scope["client"][0] if scope.get("client") else "?"
                wait = self.failed_auth.check(client)
                if wait:
                    self.service.metrics.rate_limited.labels("failed_auth").inc()
                return RateLimited("trop d'échecs d'authentification : réessayez plus tard",
                                   max(1, round(wait))) if wait else refused
            if refused is not None:
                return refused
        lengths = {value.strip() for value in _header(scope, b"content-length")}
        if lengths and _header(scope, b"transfer-encoding"):     # RFC 9112 §6.1: a smuggling attempt, refused
            return AmbiguousLength("Content-Length et Transfer-Encoding à la fois : requête refusée")
        if lengths and all(v.isdigit() for v in lengths) and max(map(int, lengths)) > body_limit(self.service, scope):
            return too_large(body_limit(self.service, scope))
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = self.refusal(scope) if scope["type"] == "http" else None
        if refused is not None:
            return await error_response(refused)(scope, receive, send)
        await self.app(scope, receive, send)


class BodyBound:
    """The body as it streams in: 413 past the limit (also without Content-Length), 408 when too slow.
    The innermost middleware: an error raised here reaches FastAPI as it is (a BaseHTTPMiddleware in
    between would wrap it in an ExceptionGroup, which FastAPI answers with a bare 400)."""

    def __init__(self, app: ASGIApp, service: Service):
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit, received, start = body_limit(self.service, scope), 0, time.monotonic()
        complete = False

        async def bounded_receive() -> Message:
            nonlocal received, complete
            if complete:            # the body is in: what follows is waiting for a disconnect
                return await receive()
            budget = BODY_GRACE_S + limit / BODY_MIN_RATE - (time.monotonic() - start)
            try:
                message = await asyncio.wait_for(receive(), timeout=max(0.0, min(BODY_IDLE_S, budget)))
            except asyncio.TimeoutError:
                raise BodyRefused(SlowBody("corps de la requête trop lent : envoi interrompu")) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if received > limit:
                    raise BodyRefused(too_large(limit))
            return message

        await self.app(scope, bounded_receive, send)
