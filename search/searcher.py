"""Hybrid retrieval over a loaded snapshot: dense (FAISS) and lexical (BM25 over analysed French)
fused by a weighted sum of normalised scores (or reciprocal ranks); ``search`` is ``batchsearch([q])[0]``.

The result set of a question (what ``total`` and the facets count) is its relevant passages
(``relevance.py``: judged against a background of general prose, the same whatever the filters)
within the filters; the ranked hits are the best of that set, and a question with nothing
relevant has none."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from index.analysis import analyse
from index.contract import SearchIndex
from ingest.document import Passage
from ingest.embedder import Embedder
from ingest.structure import PROGRAMME

from .cache import LRU
from .diversity import diversify, shingles
from .filters import Filters
from .fusion import convex, rrf
from .lexical import LexicalSearcher, Spelling
from .records import record
from .relevance import Background, Relevance, RelevanceSettings


# How deep ``Searcher.hits`` reads into the ranking for k results. ``diversify`` skips near-duplicates
# and holds back a section's passages past ``per_section``, so k results need a deeper pool; too deep
# only costs reads. bench/hits_pool.py (84 evaluation questions, unfiltered and per entry point): the
# deepest hit kept at k 10 is rank 21 (median 9), under half the pool of 40; the bound changed no list.
POOL_FACTOR = 4
POOL_MIN = 12           # a small k (each entry point's group asks for 3) still has spares to draw on
# Passages are read from the store in batches starting at the one needed, not the whole pool at once:
# the k kept are usually the first ones (same script: 1.2 store queries, 9 passages read at k 10).
READ_BATCH_MIN = 6      # so that a small k does not cost one store query per passage
# An agenda passage's fused score is halved (Searcher.agenda): it must match twice as well as a passage that
# answers. Dev nDCG@10 with factors 0.9 / 0.7 / 0.5 / 0 (last of all): 0.919 / 0.919 / 0.927 / 0.927, dev-2
# 0.713 for each; 0.5 is the largest that keeps dev's gain, and, unlike 0, a question asking for the programme
# (« programme de la journée pause déjeuner ») still gets it first.
AGENDA_FACTOR = 0.5


@dataclass
class SearchSettings:
    candidates: int = 100          # dense candidates, and lexical ones fused
    fusion: str = "convex"         # "convex" (normalised scores) or "rrf" (ranks)
    alpha: float = 0.45            # convex: the lexical share, scaled by the question's word coverage
    dense_weight: float = 1.0      # rrf weights
    lexical_weight: float = 1.0    # scaled by the share of the question's words the corpus knows
    rrf_k: int = 30
    sentence_weight: float = 0.5   # the dense score's share given to a passage's best sentence
    per_section: int = 3           # at most this many passages of one section in the top k
    lexical: bool = True           # False: dense only (for benchmarks and comparisons)
    relevance: RelevanceSettings | None = field(default_factory=RelevanceSettings)  # None: no floor


@dataclass
class Hit:
    passage: Passage
    score: float
    doc_title: str
    vid: int               # the passage's integer id in the index (id, vid, row: ingest/glossary.py)

    def record(self) -> dict:
        return record(self.passage, self.score, self.doc_title)


@dataclass
class Results:
    query: str
    hits: list[Hit]
    spelling: Spelling = field(default_factory=lambda: Spelling(""))
    selected: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # the result set: a flag per row
    ranked: list[tuple[int, float]] = field(default_factory=list)              # every candidate, best first

    @property
    def total(self) -> int:
        return int(np.count_nonzero(self.selected))


class Searcher:
    def __init__(self, index: SearchIndex, embedder: Embedder, settings: SearchSettings | None = None,
                 background: Background | None = None):
        """``background``: the general prose the relevance floor compares with (the shipped one by default)."""
        index.check_model(embedder.name)
        self.index = index
        self.embedder = embedder
        self.background = background
        self.settings = settings or SearchSettings()
        self.vectors = LRU(1024)      # question → embedding (repeated and as-you-type questions)
        self.answers = LRU(512)       # whole answers, as the service shows them
        self._shingles = LRU(20_000)  # passage → its word 3-grams, for near-duplicate checks

    @cached_property
    def lexical(self) -> LexicalSearcher:
        return LexicalSearcher(self.index.lexical)

    @cached_property
    def relevance(self) -> Relevance:
        return Relevance(self.index, self.background or Background(self.embedder), self.settings.relevance)

    def relevant(self, vector: np.ndarray, spelling: Spelling) -> np.ndarray | None:
        """The question's relevant passages (a flag per row), whatever the filters; None without a floor."""
        if self.settings.relevance is None:
            return None
        query = spelling.lexical_query
        _, matched = self.lexical.search(query, 1) if self.settings.lexical else ([], np.zeros(0, np.int64))
        return self.relevance.mask((query, vector.tobytes()), vector, analyse(query), matched, bool(spelling.absent))

    @cached_property
    def agenda(self) -> frozenset[int]:
        """Passages of a publication's programme (the structure parser knows it by its heading): an agenda
        names every session, so it shares words with any question about the event and answers none. Their
        score is lowered (``AGENDA_FACTOR``), never their relevance: still counted, still found when asked
        for (dev nDCG@10 0.913 → 0.927, Recall@10 0.979 → 1.000; dev-2 0.713, every question the same; PIAF
        has no programme, so it cannot move). One scan of the store per snapshot (3 µs a passage)."""
        return frozenset(self.index.store.vids_of_section_kind(PROGRAMME))

    @cached_property
    def titles(self) -> dict[str, str]:
        return self.index.store.titles()

    @cached_property
    def sources(self) -> dict[str, str]:
        """doc id → file name of the publication (for links to the cited page)."""
        return self.index.store.source_files()

    def warm(self) -> "Searcher":
        """Load what the first question would otherwise wait for (columns, vocabulary, titles)."""
        self.index.columns, self.lexical.vocabulary, self.lexical.terms, self.titles, self.sources, self.agenda
        self.search("échauffement")
        return self

    def vector(self, query: str) -> np.ndarray:
        """The question's embedding, from the LRU cache."""
        return self.vectors.get_or(query, lambda: self.embedder.query(query))

    def spell(self, query: str) -> Spelling:
        return self.lexical.spell(query) if self.settings.lexical else Spelling(query)

    def rank(self, vector: np.ndarray, spelling: Spelling, filters: Filters,
             dense_search: bool = True) -> tuple[list[tuple[int, float]], np.ndarray]:
        """(vid, fused score) of every relevant candidate, best first, and the result set (a flag per
        row of ``index.columns``: the relevant passages within the filters).
        Without ``dense_search`` the candidates are the lexical ones and the relevant ones (each
        still scored by its true similarity): a cheap second look within a filter."""
        s = self.settings
        columns = self.index.columns
        mask = filters.mask(columns)
        if mask is not None and not mask.any():
            return [], np.zeros(len(columns), bool)
        relevant = self.relevant(vector, spelling)
        selected = relevant if relevant is None or mask is None else relevant & mask
        if selected is not None and not selected.any():
            return [], selected
        dense: dict[int, float] = {}
        if dense_search:
            allowed = None if mask is None else columns.vids[mask]
            scores, vids = self.index.vectors.search(vector[None, :], s.candidates, allowed)
            dense = {int(v): float(x) for x, v in zip(scores[0], vids[0]) if v >= 0}
        pool = np.zeros(len(columns), bool) if selected is None else selected.copy()
        if selected is None:
            pool[columns.rows_of(list(dense))] = True
        lexical: list[tuple[int, float]] = []
        if s.lexical:
            lexical, matched = self.lexical.search(spelling.lexical_query, s.candidates, mask)
            if selected is None:
                pool[matched] = True
        if selected is not None:    # relevant passages outside the candidates are ranked too
            known = set(dense) | {v for v, _ in lexical}
            extra = [int(v) for v in columns.vids[selected] if int(v) not in known]
            if extra and s.lexical:
                bm25 = self.lexical.scores(spelling.lexical_query)[columns.rows_of(extra)]
                lexical += [(v, float(x)) for v, x in zip(extra, bm25) if x > 0]
            dense.update(zip(extra, self.index.vectors.similarities(extra, vector).tolist()))
        if s.fusion == "rrf":
            dense = self.sharpen(dense, vector)
            fused = rrf([sorted(dense, key=dense.get, reverse=True), [v for v, _ in lexical]],
                        [s.dense_weight, s.lexical_weight * spelling.coverage], s.rrf_k)
        else:
            alone = [v for v, _ in lexical if v not in dense]   # lexical-only: their true similarity
            dense.update(zip(alone, self.index.vectors.similarities(alone, vector).tolist()))
            fused = convex(self.sharpen(dense, vector), dict(lexical), s.alpha * spelling.coverage)
        ranked = sorted(((v, x * AGENDA_FACTOR if v in self.agenda else x) for v, x in fused.items()),
                        key=lambda kv: -kv[1])
        if selected is not None:
            keep = selected[columns.rows_of([v for v, _ in ranked])]
            ranked = [item for item, kept in zip(ranked, keep) if kept]
        return ranked, pool

    def sharpen(self, dense: dict[int, float], vector: np.ndarray) -> dict[int, float]:
        """Each candidate's similarity blended with its best sentence's: a question answered by one
        sentence of a long passage then ranks it higher (dev nDCG@10 0.877 → 0.892, PIAF 0.863 → 0.874)."""
        w = self.settings.sentence_weight
        if not w or not dense:
            return dense
        best = self.index.sentences.best(list(dense), vector)
        return {v: d if np.isnan(b) else (1 - w) * d + w * float(b) for (v, d), b in zip(dense.items(), best)}

    def hits(self, ranked: list[tuple[int, float]], k: int, per_section: int | None = None) -> list[Hit]:
        """The best ``k`` of ``ranked`` once near-duplicates and crowded sections are thinned."""
        ranked = ranked[: max(k * POOL_FACTOR, POOL_MIN)]
        order = [v for v, _ in ranked]
        found: dict[int, Passage] = {}

        def passage(vid: int) -> Passage:
            if vid not in found:
                at = order.index(vid)
                found.update(self.index.store.passages(order[at:at + max(k, READ_BATCH_MIN)]))
            return found[vid]

        def signature(vid: int) -> set:
            return self._shingles.get_or(vid, lambda: shingles(passage(vid).text))

        kept = diversify(ranked, lambda x: signature(x[0]), lambda x: (passage(x[0]).doc_id, passage(x[0]).section),
                         k, per_section or self.settings.per_section)
        return [Hit(found[v], sc, self.titles.get(found[v].doc_id, ""), v) for v, sc in kept]

    def batchsearch(self, queries: list[str], k: int = 10, filters: Filters | None = None) -> list[Results]:
        filters = filters or Filters()
        spellings = [self.spell(q) for q in queries]
        missing = [q for q in dict.fromkeys(queries) if q not in self.vectors]
        if len(missing) > 1:  # encode a batch in one pass
            for q, v in zip(missing, self.embedder.queries(missing)):
                self.vectors.put(q, v)
        vectors = [self.vector(q) for q in queries]
        out = []
        for query, spelling, vector in zip(queries, spellings, vectors):
            ranked, selected = self.rank(vector, spelling, filters)
            out.append(Results(query, self.hits(ranked, k), spelling, selected, ranked))
        return out

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> Results:
        return self.batchsearch([query], k, filters)[0]
