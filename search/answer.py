"""One question, everything a screen shows: ranked passages, total, facets (the result set's
counts) and refinements (what each filter value would give), groups by entry point, overview. The search page and the JSON API call ``answer`` (through
``api.render.search_payload``), as does ``catalyse eval``; ``catalyse search`` prints the same
records from ``Searcher.search``."""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from index.analysis import analyse

from .actors import organisations_cited
from .facets import facet_counts, refinements
from .filters import Filters
from .overview import overview
from .searcher import Searcher
from .suggestions import absent_names, nothing_found

# A question is a sentence or two: the 84 evaluation questions are 124 characters at most (median 61).
# Past 500 the question is cut, with a notice, so a pasted paragraph is answered rather than refused,
# while the per-word work (spelling correction, one BM25 posting list per term) stays bounded.
# The web layer accepts up to api.params.MAX_QUERY_PARAM (10,000) before refusing with a 422.
MAX_QUERY_CHARS = 500


@dataclass
class Stages:
    """Where one answer's time went, in seconds (the service's metrics read it)."""
    embedding: float = 0.0          # the question's vector (0 when it was cached)
    retrieval: float = 0.0          # ranking: dense, lexical, fusion, relevance
    building: float = 0.0           # facets, groups, overview
    vector_cached: bool = False


def answer(searcher: Searcher, query: str, k: int = 10, filters: Filters | None = None,
           group_size: int = 3, stages: Stages | None = None) -> dict:
    """``stages``, when given, is filled with the time each stage took."""
    started = time.perf_counter()
    stages = stages if stages is not None else Stages()
    filters = filters or Filters()
    query = " ".join("".join(ch if ch.isprintable() else " " for ch in query).split())
    notices = []
    if len(query) > MAX_QUERY_CHARS:
        query = query[:MAX_QUERY_CHARS]
        notices.append(f"question tronquée à {MAX_QUERY_CHARS} caractères")
    if not query:
        return {"query": "", "took_ms": 0.0, "total": 0, "results": [], "facets": {}, "refinements": {}, "groups": [],
                "overview": None, "corrections": {}, "notices": notices, "message": None, "suggestions": None}
    stages.vector_cached = query in searcher.vectors
    searcher.vector(query)
    embedded = time.perf_counter()
    result = searcher.search(query, k, filters)
    retrieved = time.perf_counter()
    hits, spelling = result.hits, result.spelling
    if spelling.absent and result.total:     # found anyway: say which of its names nothing holds
        notices.append(absent_names(spelling))
    columns = searcher.index.columns
    facets = facet_counts(columns, result.selected, searcher.titles)
    relevant = searcher.relevant(searcher.vector(query), spelling)
    # without a relevance floor the result set is the candidates: counted within the filters
    choices = refinements(columns, result.selected if relevant is None else relevant, filters, searcher.titles)
    vids = [v for v, _ in result.ranked]
    entry_of = dict(zip(vids, searcher.index.columns.entry_points(vids)))
    groups = []
    for entry in facets.get("entry_point", []):
        if filters.entry_point and entry["id"] not in filters.entry_point:
            continue
        # the best of each entry point among the question's candidates; when they hold too few,
        # its own best lexical matches (their BM25 is computed already), fused the same way
        top = [(v, s) for v, s in result.ranked if entry_of.get(v) == entry["id"]]
        if len(top) < min(group_size, entry["count"]):
            scoped = dataclasses.replace(filters, entry_point=[entry["id"]])
            top, _ = searcher.rank(searcher.vector(query), spelling, scoped, dense_search=False)
        groups.append({"entry_point": entry["id"], "label": entry["label"], "count": entry["count"],
                       "results": [h.record() for h in searcher.hits(top, group_size)]})
    built = {
        "query": query,
        "total": result.total,
        "results": [h.record() for h in hits],
        "facets": facets,
        "refinements": choices,
        "groups": groups,
        "overview": overview(searcher.index, searcher.vector(query), set(analyse(spelling.lexical_query)), hits, facets,
                             organisations_cited(searcher, [h.passage.id for h in hits])),
        "corrections": spelling.corrections,
        "notices": notices,
        **({"message": None, "suggestions": None} if result.total else nothing_found(spelling)),
    }
    done = time.perf_counter()
    stages.embedding, stages.retrieval, stages.building = embedded - started, retrieved - embedded, done - retrieved
    return {**built, "took_ms": round((done - started) * 1000, 1)}
