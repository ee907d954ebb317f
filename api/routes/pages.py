"""The pages, server-rendered (they work without JavaScript; search.js only enhances them), and
the widget. The search page renders the same payload as the JSON API, through the same function,
with the same parameters."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import numpy as np
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from ingest.glossary import PARAMS
from ingest.taxonomy import taxonomy
from search.facets import facet_counts
from search.filters import Filters
from search.related import related
from search.searcher import Searcher
from search.suggestions import EXAMPLE_QUESTIONS

from ..deps import service_of
from ..errors import NotFound
from ..html import render
from ..params import Question, ResultCount, SearchFilters, is_file_name
from ..render import related_records, search_payload
from ..service import Service

STATIC = Path(__file__).resolve().parent.parent / "static"
PAGE_BOUNDS = ("page_min", "page_max")

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def search_page(service: Annotated[Service, Depends(service_of)], filters: SearchFilters, q: Question = "",
                k: ResultCount = 10, fragment: str | None = None,
                source: Annotated[str | None, Query(alias="related", max_length=300)] = None):
    """The search page (``fragment=results``: its results only), or a passage's related resources."""
    if not service.ready.is_set():
        return render("starting.html", status=503, status_text=service.status)
    searcher = service.searcher()
    if source:
        return render("_related.html" if fragment == "related" else "related.html", source_id=source,
                      results=related_records(searcher, related(searcher, source_id=source, k=5)))
    payload = search_payload(searcher, q, k, filters) if q.strip() else None
    selected = _selected(filters)
    return render("_results.html" if fragment == "results" else "search.html", q=q, payload=payload,
                  selected=selected, toggle=lambda param, value: _toggle(q, selected, param, value),
                  examples=EXAMPLE_QUESTIONS, home=None if payload else _home(searcher))


def _selected(filters: Filters) -> dict[str, list[str]]:
    """The request's filters as the URL spells them (page bounds only when given)."""
    selected = {param: [str(v) for v in getattr(filters, param)] for param in PARAMS}
    selected.update({bound: [str(getattr(filters, bound))] for bound in PAGE_BOUNDS
                     if getattr(filters, bound) is not None})
    return selected


def _toggle(q: str, selected: dict[str, list[str]], param: str, value) -> str:
    """The URL with one filter value switched on or off (a tag chip, a facet)."""
    pairs = [(p, v) for p in ("q", *selected) for v in ([q] if p == "q" else selected[p])
             if not (p == param and v == str(value))]
    if str(value) not in selected.get(param, []):
        pairs.append((param, str(value)))
    return "/?" + urlencode(pairs)


def _home(searcher: Searcher) -> dict:
    """What the corpus holds, for the page without a question (computed once per snapshot)."""
    def compute() -> dict:
        index = searcher.index
        all_vids = index.columns.vids
        counts = facet_counts(index.columns, np.ones(len(all_vids), bool), searcher.titles)
        sdg = {x["id"]: x["count"] for x in counts["sdg"]}
        top = max(sdg.values(), default=1)
        goals = [{"id": t.id, "label": t.label.split(" — ", 1)[1], "count": sdg.get(t.id, 0),
                  "opacity": round(0.25 + 0.75 * sdg.get(t.id, 0) / top, 2) if sdg.get(t.id) else 0.12}
                 for t in taxonomy()["sdg"]]
        return {"documents": index.store.documents(), "passages": len(all_vids), "counts": counts, "goals": goals}

    return searcher.answers.get_or(("home page",), compute)


@router.get("/editor", response_class=HTMLResponse)
def editor_page(service: Annotated[Service, Depends(service_of)]):
    return render("editor.html", enabled=bool(service.config.editor_token), max_mb=service.config.max_upload_mb)


@router.get("/widget.js")
def widget():
    return Response((STATIC / "widget.js").read_text(encoding="utf-8"), media_type="application/javascript",
                    headers={"Cache-Control": "public, max-age=300"})


@router.get("/favicon.ico")
def favicon():
    return Response(status_code=204)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request):
    """The API's documentation, rendered here from its OpenAPI schema: no script from a CDN, so it reads
    offline and under the pages' Content-Security-Policy (Swagger UI's page would do neither)."""
    schema = request.app.openapi()
    return render("docs.html", version=schema["info"]["version"], description=schema["info"].get("description", ""),
                  operations=[_operation(path, method, op) for path, methods in schema["paths"].items()
                              for method, op in methods.items()])


def _operation(path: str, method: str, op: dict) -> dict:
    def type_of(schema: dict) -> str:
        if "anyOf" in schema:
            return " ou ".join(type_of(s) for s in schema["anyOf"] if s.get("type") != "null")
        if schema.get("type") == "array":
            return f"liste de {type_of(schema.get('items', {}))}"
        bounds = [f"{k} {schema[k]}" for k in ("minimum", "maximum", "maxLength") if k in schema]
        return schema.get("type", schema.get("$ref", "").rsplit("/", 1)[-1] or "objet") + (
            f" ({', '.join(bounds)})" if bounds else "")

    return {"id": op.get("operationId", path), "method": method.upper(), "path": path,
            "summary": op.get("summary", ""), "description": op.get("description", ""),
            "parameters": [{"name": p["name"], "where": p["in"], "type": type_of(p.get("schema", {})),
                            "required": p.get("required", False)} for p in op.get("parameters", [])],
            "body": list(op.get("requestBody", {}).get("content", {})), "responses": list(op.get("responses", {}))}


@router.get("/static/{name}")
def static(name: str):
    path = STATIC / name
    if not is_file_name(name) or not path.is_file():
        raise NotFound("introuvable")
    return FileResponse(path)
