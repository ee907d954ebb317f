"""The JSON API's questions: search, related resources, suggested tags."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from search.related import related

from ..deps import Ready
from ..params import Question, Refining, ResultCount, SearchFilters
from ..render import related_records, search_payload

router = APIRouter(prefix="/api")


class RelatedText(BaseModel):
    text: str = Field(..., max_length=100_000)
    k: int = Field(5, ge=1, le=20)


class TagText(BaseModel):
    text: str = Field(..., min_length=1, max_length=100_000)


@router.get("/search", summary="Rechercher des passages")
def api_search(service: Ready, filters: SearchFilters, refine: Refining, q: Question = "", k: ResultCount = 10):
    payload = search_payload(service.searcher(), q, k, filters,
                             lambda found, stages: service.searched(found, stages, not filters.empty(), refine))
    return JSONResponse(payload)   # plain JSON: no re-encoding pass


@router.get("/related", summary="Ressources liées à un passage ou à un document")
def api_related(service: Ready, filters: SearchFilters, id: Annotated[str, Query(min_length=1, max_length=300)],
                k: Annotated[int, Query(ge=1, le=20)] = 5):
    searcher = service.searcher()
    return {"source": id, "results": related_records(searcher, related(searcher, source_id=id, k=k, filters=filters))}


@router.post("/related", summary="Ressources liées à un texte (le contenu d'une page)")
def api_related_text(body: RelatedText, service: Ready):
    searcher = service.searcher()
    return {"source": None, "results": related_records(searcher, related(searcher, text=body.text, k=body.k))}


@router.post("/tag", summary="Étiquettes suggérées pour un texte")
def api_tag(body: TagText, service: Ready):
    ingestor = service.context.indexer.ingestor
    vector = ingestor.embedder.passages([body.text])[0]
    tags = ingestor.tagger.tag(body.text, vector)

    def labels(ls):
        return [{"id": l.id, "label": l.label, "score": l.score, "evidence": l.evidence} for l in ls]
    ep = tags.entry_point
    return {"levers": labels(tags.levers), "sdg": labels(tags.sdg), "trades": labels(tags.trades),
            "entry_point": labels([ep])[0] if ep else None}
