"""Hybrid retrieval over a loaded snapshot: dense (FAISS) and lexical (BM25 over analysed French)
fused by weighted reciprocal rank; ``search`` is ``batchsearch([q])[0]``."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from index.index import Index
from ingest.document import Passage
from ingest.embedder import Embedder

from .diversity import diversify
from .filters import Filters
from .fusion import rrf
from .lexical import LexicalSearcher, Spelling
from .records import record


@dataclass
class SearchSettings:
    candidates: int = 100          # taken from each side before fusion
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    rrf_k: int = 30
    per_section: int = 3           # at most this many passages of one section in the top k
    lexical: bool = True           # False: dense only (for benchmarks and comparisons)


@dataclass
class Hit:
    passage: Passage
    score: float
    doc_title: str

    def record(self) -> dict:
        return record(self.passage, self.score, self.doc_title)


@dataclass
class Results:
    query: str
    hits: list[Hit]
    spelling: Spelling = field(default_factory=lambda: Spelling(""))


class Searcher:
    def __init__(self, index: Index, embedder: Embedder, settings: SearchSettings | None = None):
        index.check_model(embedder.name)
        self.index = index
        self.embedder = embedder
        self.settings = settings or SearchSettings()

    @cached_property
    def lexical(self) -> LexicalSearcher:
        return LexicalSearcher(self.index.store)

    def _lexical_weight(self, spelling: Spelling) -> float:
        # A question in another language than the corpus shares few of its words: trust BM25 less.
        return self.settings.lexical_weight * spelling.coverage

    def batchsearch(self, queries: list[str], k: int = 10, filters: Filters | None = None) -> list[Results]:
        filters = filters or Filters()
        s = self.settings
        allowed = filters.allowed(self.index.store)
        spellings = [self.lexical.spell(q) if s.lexical else Spelling(q) for q in queries]
        if allowed is not None and not allowed:
            return [Results(q, [], sp) for q, sp in zip(queries, spellings)]
        vectors = self.embedder.queries(queries)
        _, dense_vids = self.index.vectors.search(vectors, s.candidates, allowed)
        where, args = filters.sql()
        ranked = []
        for spelling, row in zip(spellings, dense_vids):
            rankings, weights = [[int(v) for v in row if v >= 0]], [s.dense_weight]
            if s.lexical:
                rankings.append([v for v, _ in self.lexical.search(spelling.lexical_query, s.candidates, where, args)])
                weights.append(self._lexical_weight(spelling))
            fused = rrf(rankings, weights, s.rrf_k)
            ranked.append(sorted(fused.items(), key=lambda kv: -kv[1])[: max(k * 4, 40)])
        found = self.index.store.passages(sorted({v for top in ranked for v, _ in top}))
        ranked = [diversify([(v, sc) for v, sc in top if v in found], lambda x: found[x[0]].text,
                            lambda x: (found[x[0]].doc_id, found[x[0]].section), k, s.per_section)
                  for top in ranked]
        titles = self.index.store.titles()
        return [Results(q, [Hit(found[v], score, titles.get(found[v].doc_id, "")) for v, score in top if v in found],
                        sp)
                for q, sp, top in zip(queries, spellings, ranked)]

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> Results:
        return self.batchsearch([query], k, filters)[0]
