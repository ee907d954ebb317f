"""Editors in the loop: a publication's passages with their tags to review, and corrections of those
tags (confirm, add, remove) on one passage or on a whole publication. A correction is checked before
it is queued, recorded apart from the index (ingest/corrections.py), then switched into the live
index as a new snapshot, like every edit."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from index.indexer import UnknownDocument
from ingest.corrections import EDITORIAL, MULTI, Corrections, Edit, UnknownPassage
from ingest.document import Label, Passage
from ingest.taxonomy import taxonomy

from ..deps import Editor

router = APIRouter(prefix="/api")

LabelId = str | int


class CorrectionIn(BaseModel):
    doc_id: str = Field(..., min_length=1, max_length=300)
    passage_id: str | None = Field(None, min_length=1, max_length=300, description="absent : toute la publication")
    confirm: bool = Field(False, description="les étiquettes du passage (après correction) sont justes")
    add: dict[str, list[LabelId]] = Field(default_factory=dict, description="facette (levers, sdg, trades) → identifiants")
    remove: dict[str, list[LabelId]] = Field(default_factory=dict)
    entry_point: str | None = Field(None, max_length=40)


def _label(label: Label) -> dict:
    return {"id": label.id, "label": label.label, "score": label.score, "evidence": label.evidence,
            "editorial": label.evidence == [EDITORIAL]}


def confidence(passage: Passage) -> float:
    """How sure the tagger is of the passage's tags: its least certain label's score."""
    tags = passage.tags
    scores = [l.score for f in MULTI for l in getattr(tags, f)] + ([tags.entry_point.score] if tags.entry_point else [])
    return min(scores, default=0.0)


def _passage(passage: Passage, corrections: Corrections) -> dict:
    record = corrections.of_passage(passage)
    tags = passage.tags
    return {"id": passage.id, "text": passage.text, "section": list(passage.section), "location": passage.location(),
            "speaker": passage.speaker, **{f: [_label(l) for l in getattr(tags, f)] for f in MULTI},
            "entry_point": _label(tags.entry_point) if tags.entry_point else None,
            "confidence": round(confidence(passage), 3), "confirmed": bool(record and record.confirmed),
            "corrected": record is not None}


@router.get("/documents/{doc_id}/passages", summary="Les passages d'une publication et leurs étiquettes (éditeurs)")
def api_passages(doc_id: str, service: Editor,
                 to_check: Annotated[bool, Query(description="« à vérifier » : les passages non confirmés, "
                                                             "les moins sûrs d'abord")] = False):
    store = service.searcher().index.store
    doc = store.document(doc_id)
    if doc is None:
        raise UnknownDocument(f"document inconnu : {doc_id}")
    corrections = Corrections.load(service.settings.data_dir)
    passages = [_passage(p, corrections) for p in store.passages(store.vids_of_document(doc_id)).values()]
    if to_check:
        passages = sorted((p for p in passages if not p["confirmed"]), key=lambda p: p["confidence"])
    labels = {f: [{"id": t.id, "label": t.label} for t in terms] for f, terms in taxonomy().items()}
    publication = corrections.of_document(doc_id)
    return {"doc_id": doc_id, "title": doc.title, "passages": passages, "labels": labels,
            "publication": publication.to_dict() if publication else None}


@router.post("/corrections", status_code=202, summary="Corriger les étiquettes d'un passage ou d'une publication (éditeurs)")
def api_correct(body: CorrectionIn, service: Editor):
    edit = Edit.parse(body.doc_id, body.passage_id, body.confirm, body.add, body.remove, body.entry_point)
    store = service.searcher().index.store
    if store.document(edit.doc_id) is None:
        raise UnknownDocument(f"document inconnu : {edit.doc_id}")
    if edit.passage_id and not any(edit.passage_id == p.id for p in
                                   store.passages(store.vids_of_document(edit.doc_id)).values()):
        raise UnknownPassage(f"passage inconnu dans {edit.doc_id} : {edit.passage_id}")
    return service.correct(edit).public()


@router.get("/corrections", summary="Les corrections enregistrées (éditeurs)")
def api_corrections(service: Editor, doc_id: Annotated[str | None, Query(max_length=300)] = None):
    records = Corrections.load(service.settings.data_dir).records
    return {"corrections": [r.to_dict() for r in records if doc_id is None or r.doc_id == doc_id]}
