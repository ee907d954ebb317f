"""The JSON record of a result: the same for the CLI's --json and the web API."""
from __future__ import annotations

from ingest.document import Label, Passage


def _labels(labels: list[Label]) -> list[dict]:
    return [{"id": l.id, "label": l.label, "score": l.score} for l in labels]


def record(passage: Passage, score: float, doc_title: str) -> dict:
    entry = passage.tags.entry_point
    return {
        "id": passage.id,
        "doc_id": passage.doc_id,
        "doc_title": doc_title,
        "text": passage.text,
        "page_start": passage.page_start,
        "page_end": passage.page_end,
        "slide": passage.slide,
        "time_start": passage.time_start,
        "time_end": passage.time_end,
        "location": passage.location(),      # the above in French: « p. 12 », « diapositive 7 », « à 12 min 40 s »
        "anchor": passage.anchor(),          # the fragment opening the original there: page=12, slide=7, t=760
        "link": passage.link,                # the passage on the web (video at its time, canonical page)
        "ocr_confidence": passage.ocr_confidence,
        "section": " › ".join(passage.section),
        "speaker": passage.speaker,
        "organisation": passage.organisation,
        "entry_point": ({"id": entry.id, "label": entry.label, "score": entry.score} if entry else None),
        "levers": _labels(passage.tags.levers),
        "sdg": _labels(passage.tags.sdg),
        "trades": _labels(passage.tags.trades),
        "score": round(float(score), 4),
    }
