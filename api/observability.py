"""The middleware that follows every request: an id (the client's ``X-Request-ID`` when it is a
sane one — nginx's ``$request_id`` — else a new one), echoed in the response; the request counted
and timed under its route's template; one log line with the error's stable code if any. The query
string (a question) appears only at DEBUG."""
from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.routing import compile_path

from .logs import event, request_id
from .metrics import Metrics

log = logging.getLogger("catalyse.http")
HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
UNMATCHED = "unmatched"        # any path no route declares: one label, whatever was asked


class Routes:
    """The declared paths (``/api/jobs/{job_id}``) of the app's own routes and of its routers,
    matched as the router matches them — also for a request answered before routing (a 429)."""

    def __init__(self, app, routers):
        declared = [r.path for r in app.router.routes if hasattr(r, "path")]
        declared += [r.path for router in routers for r in router.routes]   # prefixed already
        self.patterns = [(compile_path(path)[0], path) for path in declared]

    def of(self, path: str) -> str:
        return next((template for regex, template in self.patterns if regex.match(path)), UNMATCHED)


def observe(routes: Routes, metrics: Metrics):
    async def follow(request, call_next):
        given = request.headers.get(HEADER, "")
        rid = given if SANE_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            response.headers[HEADER] = rid
            return response
        finally:
            seconds = time.perf_counter() - started
            route = routes.of(request.url.path)
            metrics.request(route, request.method, status, seconds)
            code = getattr(request.state, "error_code", None) or ("internal" if status >= 500 else None)
            # an error of ours is an ERROR; a refusal with its stable code (a 4xx, a 503 while starting) a WARNING
            level = logging.ERROR if code == "internal" else logging.WARNING if status >= 400 else logging.INFO
            fields = {"event": "request", "request_id": rid, "method": request.method, "route": route,
                      "path": request.url.path, "status": status, "duration_ms": round(seconds * 1000, 1),
                      "error": code}
            if log.isEnabledFor(logging.DEBUG):
                fields["query"] = request.url.query or None
            event(log, level, fields)
            request_id.reset(token)

    return follow
