"""One question, everything a screen shows: ranked passages, total, facets, groups by entry
point, overview. The search page and the JSON API call ``answer`` (through
``api.render.search_payload``), as does ``catalyse eval``; ``catalyse search`` prints the same
records from ``Searcher.search``."""
from __future__ import annotations

import dataclasses
import time

from index.analysis import analyse

from .actors import organisations_cited
from .facets import facet_counts
from .filters import Filters
from .overview import overview
from .searcher import Searcher
from .suggestions import nothing_found

MAX_QUERY_CHARS = 500


def answer(searcher: Searcher, query: str, k: int = 10, filters: Filters | None = None,
           group_size: int = 3) -> dict:
    started = time.perf_counter()
    filters = filters or Filters()
    query = " ".join("".join(ch if ch.isprintable() else " " for ch in query).split())
    notices = []
    if len(query) > MAX_QUERY_CHARS:
        query = query[:MAX_QUERY_CHARS]
        notices.append(f"question tronquée à {MAX_QUERY_CHARS} caractères")
    if not query:
        return {"query": "", "took_ms": 0.0, "total": 0, "results": [], "facets": {}, "groups": [],
                "overview": None, "corrections": {}, "notices": notices, "message": None, "suggestions": None}
    result = searcher.search(query, k, filters)
    hits, spelling = result.hits, result.spelling
    facets = facet_counts(searcher.index.columns, result.selected, searcher.titles)
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
    return {
        "query": query,
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
        "total": result.total,
        "results": [h.record() for h in hits],
        "facets": facets,
        "groups": groups,
        "overview": overview(searcher.index, searcher.vector(query), set(analyse(spelling.lexical_query)), hits, facets,
                             organisations_cited(searcher, [h.passage.id for h in hits])),
        "corrections": spelling.corrections,
        "notices": notices,
        **({"message": None, "suggestions": None} if result.total else nothing_found(spelling)),
    }
