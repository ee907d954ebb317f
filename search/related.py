"""Related resources: from a passage, a whole document or free text (the page a widget sits on),
the most related passages of other sections or documents, across entry points, never the source."""
from __future__ import annotations

import numpy as np

from ingest.errors import CatalyseError

from .filters import Filters
from .searcher import Hit, Searcher


class UnknownSource(CatalyseError):
    code = "unknown_source"


def _source(searcher: Searcher, source_id: str | None, text: str | None) -> tuple[np.ndarray, set[int]]:
    store, vectors = searcher.index.store, searcher.index.vectors
    if text is not None:
        if not text.strip():
            raise CatalyseError("texte vide", "empty_text")
        return searcher.embedder.queries([" ".join(text.split()[:300])])[0], set()
    vid = store.vid_of(source_id) if source_id else None
    if vid is not None:  # a passage: leave out its whole section
        p = store.passages([vid])[vid]
        same = {v for v, q in store.passages(store.vids_of_document(p.doc_id)).items() if q.section == p.section}
        return vectors.vector(vid), same | {vid}
    doc_vids = store.vids_of_document(source_id) if source_id else []
    if doc_vids:  # a document: its centroid, leaving the document out
        mean = np.mean([vectors.vector(v) for v in doc_vids], axis=0)
        return mean / (np.linalg.norm(mean) or 1.0), set(doc_vids)
    raise UnknownSource(f"passage ou document inconnu : {source_id}")


def related(searcher: Searcher, source_id: str | None = None, text: str | None = None, k: int = 5,
            filters: Filters | None = None) -> list[Hit]:
    filters = filters or Filters()
    vector, exclude = _source(searcher, source_id, text)
    allowed = filters.allowed(searcher.index.columns)
    if allowed is not None:
        allowed = allowed[~np.isin(allowed, list(exclude))]
        if not len(allowed):
            return []
    scores, vids = searcher.index.vectors.search(vector[None, :], k * 4 + len(exclude), allowed)
    ranked = [(int(v), float(s)) for s, v in zip(scores[0], vids[0]) if v >= 0 and int(v) not in exclude]
    hits = searcher.hits(ranked, k * 4, per_section=1)
    # across entry points: the best of each entry point first, then the rest by score
    firsts, seen = [], set()
    for h in hits:
        ep = h.passage.tags.entry_point.id if h.passage.tags.entry_point else None
        if ep not in seen:
            seen.add(ep)
            firsts.append(h)
    rest = [h for h in hits if h not in firsts]
    return sorted(firsts[:k], key=lambda h: -h.score) + rest[: max(0, k - len(firsts))]
