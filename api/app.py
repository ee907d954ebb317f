"""The web service: JSON API, search page, widget and editors' endpoints, thin over ``search``.

Run it with ``catalyse serve``; ``create_app`` builds it for tests. The routes live in ``routes/``
by concern, errors become HTTP answers in ``errors.py``, the request's parameters are read by the
dependencies of ``params.py`` and ``deps.py``."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

from . import errors
from .guard import BodyBound, RequestGuard
from .observability import Routes, observe
from .ratelimit import rate_limits
from .routes import actors, corrections, documents, dossier, health, metrics, pages, questions, search
from .service import Service

# 0.2.0: an editor job's "kind" is now "action"; 0.3.0: a publication's metadata "kind" is now "genre" (the old
# name still read), a backup manifest's "kind" is now "archive": "kind" is an actor's only (docs/glossary.md)
API_VERSION = "0.3.0"
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
    app = FastAPI(title="Catalyse", version=API_VERSION, docs_url=None, redoc_url=None,   # /docs: routes/pages.py
                  description="Recherche sémantique dans les publications des catalyseurs territoriaux.")
    app.state.service = service           # what the routes' dependencies hand them (deps.service_of)
    if start:
        app.router.on_startup.append(service.start)
    app.add_middleware(BodyBound, service=service)      # innermost: see api/guard.py
    app.middleware("http")(rate_limits(service.config.search_rate, service.config.editor_rate,
                                       lambda budget: service.metrics.rate_limited.labels(budget).inc()))
    errors.install(app)
    routers = [module.router for module in (health, search, documents, corrections, questions, actors, pages,
                                            dossier, metrics)]
    for router in routers:
        app.include_router(router)
    app.add_middleware(RequestGuard, service=service)   # outside the rate limits: a bad token spends its own budget
    app.middleware("http")(security_headers)     # outside the others, so it sees every page
    app.middleware("http")(observe(Routes(app, routers), service.metrics))   # every request counted and logged
    if service.config.cors_origins:              # outermost: every answer (a 429, a 401) can be read by the widget
        app.add_middleware(CORSMiddleware, allow_origins=service.config.cors_origins,
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type"])
    return app
