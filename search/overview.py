"""A first overview for the reader in a hurry: the most informative sentences of the top
results, chosen for relevance and variety (maximal marginal relevance), each with its page;
plus the leading facets and the organisations the results cite most."""
from __future__ import annotations

import math
import re
from collections import Counter

from index.analysis import analyse

from .diversity import jaccard

SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+|$)")


def sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    return [s.strip() for s in SENTENCE.findall(flat) if 8 <= len(s.split()) <= 60]


def overview(query_terms: set[str], hits: list, facets: dict, n: int = 4, from_top: int = 5, lam: float = 0.7) -> dict:
    candidates = []
    for rank, hit in enumerate(hits[:from_top]):
        for sentence in sentences(hit.passage.text):
            terms = set(analyse(sentence))
            overlap = len(terms & query_terms)
            relevance = overlap / math.sqrt(len(terms) or 1) + 0.3 / (rank + 1)
            candidates.append((relevance, terms, sentence, hit, overlap))
    chosen = []
    pool = [c for c in candidates if c[4] > 0] or candidates
    while pool and len(chosen) < n:
        def mmr(c):
            return lam * c[0] - (1 - lam) * max((jaccard(c[1], o[1]) for o in chosen), default=0.0)
        best = max(pool, key=mmr)
        chosen.append(best)
        pool.remove(best)
    order = {id(h): i for i, h in enumerate(hits)}
    chosen.sort(key=lambda c: (order[id(c[3])], c[3].passage.text.find(c[2][:30])))
    organisations = Counter()
    for hit in hits:
        p = hit.passage
        names = set(p.entities.get("organisations", [])) | ({p.organisation} if p.organisation else set())
        organisations.update(n for n in names if len(n) > 2)
    return {
        "sentences": [{"text": c[2], "passage_id": c[3].passage.id, "doc_id": c[3].passage.doc_id,
                       "page": c[3].passage.page_start, "speaker": c[3].passage.speaker} for c in chosen],
        "facets": {name: values[:3] for name, values in facets.items() if name in ("levers", "sdg", "trades", "entry_point")},
        "organisations": [{"name": name, "count": count} for name, count in organisations.most_common(5)],
    }
