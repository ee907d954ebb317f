"""The directory of actors (« Qui fait quoi »): the JSON API and its page, through the same functions
(search/actors.py), with the search's filters."""
from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from ingest.actors import KINDS
from ingest.glossary import PARAMS
from ingest.taxonomy import taxonomy
from search.actors import MAX_PER_PAGE, PER_PAGE, actor_detail, find_actors
from search.filters import Filters

from ..deps import Ready, service_of
from ..errors import NotFound
from ..html import render
from ..params import SearchFilters
from ..render import corpus_url
from ..service import Service

router = APIRouter()

Name = Annotated[str, Query(max_length=200, description="mots du nom (début de mot, sans accents ni majuscules)")]
Kind = Annotated[Literal["person", "organisation"] | None, Query(description="person ou organisation")]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]
ActorId = Annotated[str, Query(max_length=200)]
# The filters the page offers, as (URL parameter, title, taxonomy); the API takes all of search's.
DIRECTORY_FACETS = (("lever", "Levier", "levers"), ("sdg", "ODD", "sdg"), ("trade", "Métier", "trades"))


@router.get("/api/actors", summary="Annuaire des acteurs (personnes et organisations)")
def api_actors(service: Ready, filters: SearchFilters, q: Name = "", kind: Kind = None, page: PageNumber = 1,
               per_page: PerPage = PER_PAGE):
    return find_actors(service.searcher(), q, filters, kind, page, per_page)


@router.get("/api/actors/{actor_id}", summary="Un acteur et les passages où il intervient ou est cité")
def api_actor(service: Ready, actor_id: str):
    searcher = service.searcher()
    found = actor_detail(searcher, actor_id[:200])
    if found is None:
        raise NotFound(f"acteur inconnu : {actor_id[:200]}")
    return _with_urls(found, searcher.sources)


def _with_urls(detail: dict, sources: dict[str, str]) -> dict:
    """Each passage's link opens the publication at its page (slide, time), as search results do."""
    for m in detail["mentions"]:
        source = sources.get(m["doc_id"])
        m["url"] = m["link"] or (corpus_url(source, m["anchor"]) if source else None)
    return detail


def form_filters(lever: Annotated[list[str] | None, Query(max_length=50)] = None,
                 sdg: Annotated[list[str] | None, Query(max_length=2)] = None,
                 trade: Annotated[list[str] | None, Query(max_length=50)] = None) -> Filters:
    """The page's filters as its form sends them: a select left on « tous » sends an empty value."""
    return Filters(lever=[v for v in lever or [] if v], trade=[v for v in trade or [] if v],
                   sdg=[int(v) for v in sdg or [] if v.isdigit() and 1 <= int(v) <= 17])


@router.get("/acteurs", response_class=HTMLResponse, include_in_schema=False)
def actors_page(service: Annotated[Service, Depends(service_of)], filters: Annotated[Filters, Depends(form_filters)],
                q: Name = "", kind: Annotated[str, Query(max_length=20)] = "", page: PageNumber = 1):
    kind = kind if kind in KINDS else None
    if not service.ready.is_set():
        return render("starting.html", status=503, status_text=service.status)
    found = find_actors(service.searcher(), q, filters, kind, page, PER_PAGE)
    selected = {param: [str(v) for v in getattr(filters, param)] for param in PARAMS}
    base = [("q", q)] * bool(q) + [("kind", kind)] * bool(kind) + [(p, v) for p in selected for v in selected[p]]
    pages = -(-found["total"] // PER_PAGE)
    terms = taxonomy()
    facets = [(param, title, [(str(t.id), t.label) for t in terms[name]]) for param, title, name in DIRECTORY_FACETS]
    return render("actors.html", q=q, kind=kind, found=found, selected=selected, facets=facets, page=page, pages=pages,
                  page_url=lambda n: "/acteurs?" + urlencode(base + [("page", n)]))


@router.get("/acteurs/{actor_id}", response_class=HTMLResponse, include_in_schema=False)
def actor_page(service: Annotated[Service, Depends(service_of)], actor_id: str):
    if not service.ready.is_set():
        return render("starting.html", status=503, status_text=service.status)
    searcher = service.searcher()
    found = actor_detail(searcher, actor_id[:200])
    if found is None:
        raise NotFound(f"acteur inconnu : {actor_id[:200]}")
    return render("actor.html", actor=_with_urls(found, searcher.sources))
