"""The web service: JSON API, search page, widget and editors' endpoints, thin over ``search``.

Run it with ``catalyse serve``; ``create_app`` builds it for tests."""
from __future__ import annotations

import hmac
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, File, Form, Header, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.analysis import analyse
from ingest.bounded import check_upload
from ingest.errors import CatalyseError
from ingest.sniff import upload_suffix
from search.answer import answer
from search.filters import Filters
from search.related import related

from .pages import Pages
from .params import safe_name, search_filters
from .ratelimit import RateLimiter
from .render import enrich
from .service import Service

STATIC = Path(__file__).parent / "static"


class RelatedText(BaseModel):
    text: str = Field(..., max_length=100_000)
    k: int = Field(5, ge=1, le=20)


class TagText(BaseModel):
    text: str = Field(..., min_length=1, max_length=100_000)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


def create_app(service: Service, start: bool = True) -> FastAPI:
    app = FastAPI(title="Catalyse", version="0.2.0",
                  description="Recherche sémantique dans les publications des catalyseurs territoriaux.")
    app.state.service = service
    pages = Pages(service)
    if service.config.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=service.config.cors_origins,
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type"])
    if start:
        app.router.on_startup.append(service.start)
    limits = {"search": RateLimiter(service.config.search_rate, service.config.search_rate * 10),
              "editor": RateLimiter(service.config.editor_rate, service.config.editor_rate * 10)}

    @app.middleware("http")
    async def rate_limit(request: Request, call_next):
        path = request.url.path
        editing = request.method in ("POST", "DELETE") and path.startswith(("/api/documents", "/api/reindex"))
        budget = "editor" if editing or path.startswith("/api/jobs") else (
            "search" if path.startswith("/api/") or path == "/" else None)
        if budget:
            wait = limits[budget].check(request.client.host if request.client else "?")
            if wait:
                response = _error(429, "rate_limited", "trop de requêtes : réessayez dans un instant")
                response.headers["Retry-After"] = str(max(1, round(wait)))
                return response
        return await call_next(request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, dict) else {"code": "http_error", "message": str(exc.detail)}
        response = _error(exc.status_code, detail["code"], detail["message"])
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(CatalyseError)
    async def catalyse_error(request: Request, exc: CatalyseError):
        status = 404 if exc.code in ("unknown_document", "unknown_source") else 422
        return _error(status, exc.code, str(exc))

    def ready() -> Service:
        if not service.ready.is_set():
            raise HTTPException(503, detail={"code": "not_ready", "message": service.status})
        return service

    def editor(authorization: Annotated[str | None, Header()] = None) -> Service:
        token = service.config.editor_token
        if not token:
            raise HTTPException(403, detail={"code": "editing_disabled",
                                             "message": "l'édition est désactivée (CATALYSE_EDITOR_TOKEN absent)"})
        given = (authorization or "")[7:] if (authorization or "").startswith("Bearer ") else ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, detail={"code": "bad_token", "message": "jeton d'édition manquant ou invalide"},
                                headers={"WWW-Authenticate": "Bearer"})
        return ready()

    def records(searcher, hits, terms):
        sources = searcher.sources
        return [enrich(h.record(), terms, sources) for h in hits]

    # -- health and search -----------------------------------------------------------
    @app.get("/health", summary="État du service et de l'index")
    def health():
        if not service.ready.is_set():
            return JSONResponse(status_code=503, content={"status": service.status})
        return {"status": "ok", "index": service.searcher().index.stats()}

    @app.get("/api/search", summary="Rechercher des passages")
    def api_search(q: Annotated[str, Query(max_length=10_000)] = "", k: Annotated[int, Query(ge=1, le=50)] = 10,
                   filters: Filters = Depends(search_filters), svc: Service = Depends(ready)):
        return JSONResponse(search_payload(svc, q, k, filters))   # plain JSON: no re-encoding pass

    def search_payload(svc: Service, q: str, k: int, filters: Filters) -> dict:
        """What the page and the API show for a question: the answer with snippets and links,
        from the snapshot's cache when the question was asked already."""
        started = time.perf_counter()
        searcher = svc.searcher()

        def payload() -> dict:
            result = answer(searcher, q, k=k, filters=filters)
            terms = set(analyse(" ".join([result["query"], *result["corrections"].values()])))
            sources = searcher.sources
            return {**result, "results": [enrich(r, terms, sources) for r in result["results"]],
                    "groups": [{**g, "results": [enrich(r, terms, sources) for r in g["results"]]}
                               for g in result["groups"]]}

        found = searcher.answers.get_or(("payload", q, k, repr(filters)), payload)
        return {**found, "took_ms": round((time.perf_counter() - started) * 1000, 1)}

    app.state.search_payload = search_payload

    @app.get("/api/related", summary="Ressources liées à un passage ou à un document")
    def api_related(id: Annotated[str, Query(min_length=1, max_length=300)], k: Annotated[int, Query(ge=1, le=20)] = 5,
                    filters: Filters = Depends(search_filters), svc: Service = Depends(ready)):
        searcher = svc.searcher()
        hits = related(searcher, source_id=id, k=k, filters=filters)
        return {"source": id, "results": records(searcher, hits, set())}

    @app.post("/api/related", summary="Ressources liées à un texte (le contenu d'une page)")
    def api_related_text(body: RelatedText, svc: Service = Depends(ready)):
        searcher = svc.searcher()
        hits = related(searcher, text=body.text, k=body.k)
        return {"source": None, "results": records(searcher, hits, set())}

    @app.post("/api/tag", summary="Étiquettes suggérées pour un texte")
    def api_tag(body: TagText, svc: Service = Depends(ready)):
        ingestor = svc.context.indexer.ingestor
        vector = ingestor.embedder.passages([body.text])[0]
        tags = ingestor.tagger.tag(body.text, vector)

        def labels(ls):
            return [{"id": l.id, "label": l.label, "score": l.score, "evidence": l.evidence} for l in ls]
        ep = tags.entry_point
        return {"levers": labels(tags.levers), "sdg": labels(tags.sdg), "trades": labels(tags.trades),
                "entry_point": labels([ep])[0] if ep else None}

    # -- documents -------------------------------------------------------------------
    @app.get("/api/documents", summary="Les publications indexées")
    def api_documents(svc: Service = Depends(ready)):
        return {"documents": svc.searcher().index.store.documents()}

    @app.get("/api/documents/{doc_id}", summary="Une publication")
    def api_document(doc_id: str, svc: Service = Depends(ready)):
        store = svc.searcher().index.store
        doc = next((d for d in store.documents() if d["id"] == doc_id), None)
        if doc is None:
            return _error(404, "unknown_document", f"document inconnu : {doc_id}")
        return doc

    @app.get("/corpus/{file}", summary="Le fichier d'une publication (liens « #page=N »)")
    def corpus_file(file: str, svc: Service = Depends(ready)):
        name = Path(file).name
        path = svc.settings.data_dir / "originals" / Path(name).stem / name
        if name != file or not path.is_file():
            return _error(404, "not_found", "fichier introuvable")
        if path.suffix.lower() in (".html", ".htm"):    # a stored web page never runs on this origin
            return FileResponse(path, media_type="text/plain; charset=utf-8",
                                headers={"Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"})
        return FileResponse(path)

    # -- editors -----------------------------------------------------------------------
    @app.post("/api/documents", status_code=202, summary="Ajouter une publication (éditeurs)")
    async def api_add(file: Annotated[UploadFile, File()], metadata: Annotated[str | None, Form()] = None,
                      svc: Service = Depends(editor)):
        limit = int(svc.config.max_upload_mb * 1024 * 1024)
        data = await file.read(limit + 1)
        if len(data) > limit:
            return _error(413, "too_large", f"fichier trop volumineux (limite {svc.config.max_upload_mb:g} Mo)")
        if not data.strip():
            return _error(422, "empty_file", "fichier vide")
        try:
            meta = json.loads(metadata) if metadata else {}
            assert isinstance(meta, dict)
        except (json.JSONDecodeError, AssertionError):
            return _error(422, "bad_metadata", "métadonnées : un objet JSON est attendu")
        stem = safe_name(file.filename or "")
        try:
            suffix = upload_suffix(data, file.filename or "")
        except CatalyseError as exc:
            return _error(415 if exc.code == "unsupported_type" else 422, exc.code, str(exc))
        folder = Path(tempfile.mkdtemp(prefix="upload-", dir=svc.settings.data_dir))
        path = folder / f"{stem}{suffix}"
        path.write_bytes(data)
        try:  # read now, in a bounded child process: a bad file is refused before anything is queued
            doc = await run_in_threadpool(check_upload, path, meta)
        except CatalyseError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            return _error(422, exc.code, str(exc))
        same = svc.searcher().index.store.document_by_hash(doc.content_hash)
        if same and same != doc.id:
            shutil.rmtree(folder, ignore_errors=True)
            return _error(409, "duplicate_document", f"contenu identique au document déjà indexé « {same} »")
        job = svc.add_upload(path, meta)
        return job.public()

    @app.delete("/api/documents/{doc_id}", status_code=202, summary="Retirer une publication (éditeurs)")
    def api_remove(doc_id: str, svc: Service = Depends(editor)):
        if svc.searcher().index.store.document(doc_id) is None:
            return _error(404, "unknown_document", f"document inconnu : {doc_id}")
        return svc.remove(doc_id).public()

    @app.post("/api/reindex", status_code=202, summary="Tout réindexer (éditeurs)")
    def api_reindex(svc: Service = Depends(editor)):
        return svc.reindex().public()

    @app.get("/api/jobs/{job_id}", summary="Avancement d'une tâche d'édition")
    def api_job(job_id: str, svc: Service = Depends(editor)):
        job = svc.jobs.get(job_id)
        if job is None:
            return _error(404, "unknown_job", "tâche inconnue")
        return job.public()

    @app.get("/api/jobs", summary="Les tâches d'édition")
    def api_jobs(svc: Service = Depends(editor)):
        return {"jobs": [j.public() for j in sorted(svc.jobs.values(), key=lambda j: -j.created)]}

    # -- pages and widget -------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request):
        return pages.search(request)

    @app.get("/editor", response_class=HTMLResponse, include_in_schema=False)
    def editor_page(request: Request):
        return pages.editor(request)

    @app.get("/widget.js", include_in_schema=False)
    def widget():
        return Response((STATIC / "widget.js").read_text(encoding="utf-8"), media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=300"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return Response(status_code=204)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str):
        path = STATIC / Path(name).name
        if not path.is_file():
            return _error(404, "not_found", "introuvable")
        return FileResponse(path)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers["Content-Security-Policy"] = (
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                "frame-ancestors 'self'; base-uri 'none'; form-action 'self'")
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "same-origin"
        return response

    return app
