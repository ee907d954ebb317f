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

from ingest.glossary import FACETS, PARAMS
from ingest.taxonomy import taxonomy
from search.facets import facet_counts
from search.filters import Filters
from search.related import related
from search.searcher import Searcher
from search.suggestions import EXAMPLE_QUESTIONS

from ..colours import SDG_COLOURS, text_on
from ..deps import service_of
from ..errors import NotFound
from ..html import render
from ..params import Question, Refining, ResultCount, SearchFilters, is_file_name
from ..render import related_records, search_payload
from ..service import Service

STATIC = Path(__file__).resolve().parent.parent / "static"
PAGE_BOUNDS = ("page_min", "page_max")
MAX_PAGES = 20          # « plus de résultats » up to 20 pages of k (the page shows them all, cumulated)
MAX_SHOWN = 200         # … and never more than 200 passages on one page
PANEL = ("levers", "sdg", "trades", "entry_point", "doc")     # the facets of the filter panel, in its order

router = APIRouter(include_in_schema=False)


class SearchView:
    """The URLs and lists the results template needs, from the request's question, filters and page."""

    def __init__(self, q: str, selected: dict[str, list[str]], k: int, page: int, payload: dict | None):
        self.q, self.selected, self.k, self.page, self.payload = q, selected, k, page, payload

    def url(self, selected: dict[str, list[str]] | None = None, page: int = 1) -> str:
        selected = self.selected if selected is None else selected
        pairs = [("q", self.q)] + [(p, v) for p, values in selected.items() for v in values]
        pairs += [("k", str(self.k))] if self.k != 10 else []
        pairs += [("page", str(page))] if page > 1 else []
        return "/?" + urlencode(pairs)

    def toggle(self, param: str, value) -> str:
        """The URL with one filter value switched on or off (a tag chip, a facet, a pill), page 1."""
        values = self.selected.get(param, [])
        value = str(value)
        changed = [v for v in values if v != value] if value in values else [*values, value]
        return self.url({**self.selected, param: changed})

    @property
    def clear_url(self) -> str:
        return self.url({})

    @property
    def more_url(self) -> str | None:
        """The next page (its first new result as the fragment), while there are more to show."""
        p = self.payload
        if not p or len(p["results"]) >= p["total"] or self.page >= MAX_PAGES or len(p["results"]) >= MAX_SHOWN:
            return None
        return self.url(page=self.page + 1) + f"#r{len(p['results']) + 1}"

    @property
    def pills(self) -> list[dict]:
        """The active filters, each with the URL that removes it."""
        if not self.payload:
            return []
        choices = self.payload.get("refinements", {})
        out = []
        for facet in FACETS:
            for v in choices.get(facet.key, []):
                if v["selected"]:
                    out.append({"label": f"{facet.title} : {v['label']}", "url": self.toggle(facet.param, v["id"])})
        for bound, word in zip(PAGE_BOUNDS, ("à partir de la page", "jusqu'à la page")):
            for v in self.selected.get(bound, []):
                out.append({"label": f"Pages : {word} {v}", "url": self.toggle(bound, v)})
        return out

    @property
    def panel(self) -> list[dict]:
        """The filter panel: each facet's values in a stable order, a value that would give nothing disabled."""
        choices = self.payload.get("refinements", {}) if self.payload else {}
        titles = {f.key: (f.title, f.param) for f in FACETS}
        return [{"key": key, "title": titles[key][0], "param": titles[key][1],
                 "options": [{**v, "disabled": not v["count"] and not v["selected"]} for v in choices[key]]}
                for key in PANEL if choices.get(key)]

    @property
    def groups(self) -> list[dict]:
        """The groups by entry point, without the passages the list above already shows."""
        if not self.payload:
            return []
        shown = {r["id"] for r in self.payload["results"]}
        groups = [{**g, "results": [r for r in g["results"] if r["id"] not in shown]} for g in self.payload["groups"]]
        return [g for g in groups if g["results"]]


@router.get("/", response_class=HTMLResponse)
def search_page(service: Annotated[Service, Depends(service_of)], filters: SearchFilters, refine: Refining,
                q: Question = "", k: ResultCount = 10, page: Annotated[int, Query(ge=1, le=MAX_PAGES)] = 1,
                fragment: str | None = None,
                source: Annotated[str | None, Query(alias="related", max_length=300)] = None):
    """The search page (``fragment=results``: its results only), or a passage's related resources.
    Page N shows the first N × k results (« plus de résultats » adds the next k)."""
    if not service.ready.is_set():
        return render("starting.html", status=503, status_text=service.status)
    searcher = service.searcher()
    if source:
        return render("_related.html" if fragment == "related" else "related.html", source_id=source,
                      results=related_records(searcher, related(searcher, source_id=source, k=5)))
    payload = search_payload(searcher, q, min(k * page, MAX_SHOWN), filters, lambda found, stages: service.searched(
        found, stages, not filters.empty(), refine)) if q.strip() else None
    view = SearchView(q, _selected(filters), k, page, payload)
    return render("_results.html" if fragment == "results" else "search.html", q=q, payload=payload, view=view,
                  selected=view.selected, toggle=view.toggle, examples=EXAMPLE_QUESTIONS,
                  home=None if payload else _home(searcher))


def _selected(filters: Filters) -> dict[str, list[str]]:
    """The request's filters as the URL spells them (page bounds only when given)."""
    selected = {param: [str(v) for v in getattr(filters, param)] for param in PARAMS}
    selected.update({bound: [str(getattr(filters, bound))] for bound in PAGE_BOUNDS
                     if getattr(filters, bound) is not None})
    return selected


def _home(searcher: Searcher) -> dict:
    """What the corpus holds, for the page without a question (computed once per snapshot): every
    value of each taxonomy, in its order, even at 0."""
    def compute() -> dict:
        index = searcher.index
        all_vids = index.columns.vids
        counts = facet_counts(index.columns, np.ones(len(all_vids), bool), searcher.titles)
        terms = {f.key: f.taxonomy for f in FACETS}
        listed = {}
        for key in ("sdg", "entry_point", "levers", "trades"):
            found = {str(x["id"]): x["count"] for x in counts[key]}
            listed[key] = [{"id": t.id, "label": t.label, "count": found.get(str(t.id), 0)}
                           for t in taxonomy()[terms[key]]]
        goals = [{**g, "label": g["label"].split(" — ", 1)[1]} for g in listed["sdg"]]
        return {"documents": index.store.documents(), "passages": len(all_vids), "counts": listed, "goals": goals}

    return searcher.answers.get_or(("home page",), compute)


@router.get("/editor", response_class=HTMLResponse)
def editor_page(service: Annotated[Service, Depends(service_of)]):
    documents = service.searcher().index.store.documents() if service.ready.is_set() else []
    return render("editor.html", enabled=bool(service.config.editor_token), max_mb=service.config.max_upload_mb,
                  documents=documents)


@router.get("/widget.js")
def widget():
    return Response((STATIC / "widget.js").read_text(encoding="utf-8"), media_type="application/javascript",
                    headers={"Cache-Control": "public, max-age=300"})


@router.get("/favicon.ico")
def favicon():
    return Response(status_code=204)


@router.get("/static/sdg.css")
def sdg_css():
    """The ODD's official colours as classes, each with the text colour that reads on it (no inline
    style: the pages' Content-Security-Policy forbids it)."""
    rules = "".join(f".sdg-{n}{{background:{c};color:{text_on(c)}}}\n" for n, c in SDG_COLOURS.items())
    return Response(rules, media_type="text/css", headers={"Cache-Control": "public, max-age=300"})


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
