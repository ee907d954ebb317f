"""The web service: JSON API, search page, widget and editors' endpoints, thin over ``search``.

Run it with ``catalyse serve``; ``create_app`` builds it for tests. The routes live in ``routes/``
by concern, errors become HTTP answers in ``errors.py``, the request's parameters are read by the
dependencies of ``params.py`` and ``deps.py``."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

from . import errors
from .ratelimit import rate_limits
from .routes import actors, documents, health, pages, search
from .service import Service

API_VERSION = "0.2.0"       # 0.2.0: an editor job's "kind" is now "action" (docs/glossary.md)
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "frame-ancestors 'self'; base-uri 'none'; form-action 'self'")


async def security_headers(request: Request, call_next):
    response = await call_next(request)
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
    return response


def create_app(service: Service, start: bool = True) -> FastAPI:
    app = FastAPI(title="Catalyse", version=API_VERSION,
                  description="Recherche sémantique dans les publications des catalyseurs territoriaux.")
    app.state.service = service           # what the routes' dependencies hand them (deps.service_of)
    if service.config.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=service.config.cors_origins,
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type"])
    if start:
        app.router.on_startup.append(service.start)
    app.middleware("http")(rate_limits(service.config.search_rate, service.config.editor_rate))
    errors.install(app)
    for module in (health, search, documents, actors, pages):
        app.include_router(module.router)
    app.middleware("http")(security_headers)     # added last: outermost, so it sees every page
    return app
