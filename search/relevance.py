"""Which passages are relevant to a question: what ``total``, the facets and the groups count,
and whether there is anything to show at all.

A passage's nearest-neighbour similarity means little alone: an off-topic question still has a
nearest passage, and e5's similarities sit in a narrow band (0.75–0.90) whatever the question.
So a passage is judged against a *background* of general French prose (search/background/,
3,000 sentences of Wikipedia paragraphs from PIAF): its evidence is

    margin = (similarity of its best unit — the passage or one of its sentences — to the question)
             − (mean similarity of the question's 3 nearest background sentences)
    relevance = margin + LEXICAL_WEIGHT × (IDF-weighted share of the question's terms it holds)

A question whose best margin does not reach ``gate`` has no relevant passage at all (« zzqx
blorf », « recette de la tarte tatin »: general prose matches them as well as the corpus does);
otherwise the passages whose relevance reaches ``floor`` are relevant. The lexical share brings back what the
model does not know but the text says (« Pierre Mauroy », an acronym). Judged over a fixed pool —
the unfiltered dense candidates and every passage sharing a term — so a filter only intersects
the relevant set: ticking a facet gives exactly the count it showed. The settings are calibrated by
``bench/relevance_floor.py`` (figures in its docstring and in docs)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.contract import SearchIndex

from .cache import LRU

BACKGROUND = Path(__file__).parent / "background"
BACKGROUND_SIZE = 3000        # 1,000 sentences let 4 more nonsense questions through; 3,000 ≈ all 7,076
NEAREST = 3                   # background level: the mean of the question's nearest background sentences


class Background:
    """General prose a question is compared with, embedded by the index's model (shipped for the
    default model; embedded once through the embedding cache for any other)."""

    _loaded: dict[str, np.ndarray] = {}

    def __init__(self, embedder):
        if embedder.name not in self._loaded:
            texts = (BACKGROUND / "sentences.txt").read_text(encoding="utf-8").splitlines()
            shipped = self.shipped_vectors(embedder.name)
            vectors = np.load(shipped).astype(np.float32) if shipped.exists() else None
            if vectors is None or len(vectors) != len(texts):
                vectors = embedder.passages(texts)
            self._loaded[embedder.name] = np.ascontiguousarray(vectors, np.float32)
        self.vectors = self._loaded[embedder.name]

    @classmethod
    def of(cls, vectors: np.ndarray) -> "Background":
        """A background of given vectors (a benchmark comparing engines embeds its own)."""
        background = cls.__new__(cls)
        background.vectors = np.ascontiguousarray(vectors, np.float32)
        return background

    @staticmethod
    def shipped_vectors(model: str) -> Path:
        return BACKGROUND / (re.sub(r"[^a-zA-Z0-9]+", "-", model).strip("-") + ".f16.npy")

    def level(self, vector: np.ndarray) -> float:
        similarities = self.vectors @ vector
        return float(np.partition(similarities, -NEAREST)[-NEAREST:].mean())


@dataclass
class RelevanceSettings:
    pool: int = 200               # dense candidates judged (unfiltered), besides every lexical match
    # chosen by bench/relevance_floor.py on both development sets and the nonsense questions: the
    # strictest setting that keeps every gold passage the ranking shows (72/72 questions) gives
    # 10/12 nonsense questions nothing (11/12 with ``absent_gate``) and counts a median of 50
    # passages (of 349) for a question. A gate of 0.0156 would empty one more but drop the answer of
    # e37 (its best margin 0.0149 is below « indemnités de fonction d'un maire », 0.0155): not kept.
    lexical_weight: float = 0.08  # worth of the whole question's terms, in similarity units
    gate: float = 0.012           # the best margin needed for anything to be relevant
    floor: float = 0.005          # a passage's relevance needed to count
    # The gate for a question naming what no publication holds (« plan local d'urbanisme de Rennes
    # Métropole »: Rennes appears nowhere), whose other words match the corpus's subject well enough
    # for the usual gate. The 12 nonsense questions' best margins are all under 0.017 (that one: 0.0164),
    # the 72 development questions' reach 0.086 (median 0.045) and none names an absent subject. At
    # 0.02 it empties 11 of the 12 (bench/relevance_floor.py), and a question the corpus covers well
    # apart from its name still finds its passages, with a notice: « tiers-lieu autogéré par des jeunes
    # à Grenoble » 0.021, « How do Sustainable Development Goals apply… » 0.023 (its capitalised English
    # words are taken for names); at 0.03 both would get nothing.
    absent_gate: float = 0.02


@dataclass
class Judged:
    rows: np.ndarray              # rows of index.columns judged (the pool)
    margin: np.ndarray            # best unit similarity − background level
    share: np.ndarray             # IDF-weighted share of the question's terms held

    def passes(self, gate: float) -> bool:
        """Whether the corpus matches the question better than general prose by ``gate`` somewhere."""
        return bool(len(self.margin)) and float(self.margin.max()) >= gate

    def relevance(self, lexical_weight: float) -> np.ndarray:
        return self.margin + lexical_weight * self.share


class Relevance:
    def __init__(self, index: SearchIndex, background: Background, settings: RelevanceSettings | None = None):
        self.index = index
        self.background = background
        self.settings = settings or RelevanceSettings()
        self._masks = LRU(256)

    def judge(self, vector: np.ndarray, stems: list[str], matched: np.ndarray) -> Judged:
        """Evidence for the pool: the ``pool`` nearest passages and the rows in ``matched`` (every
        passage sharing a term with the question)."""
        columns = self.index.columns
        _, vids = self.index.vectors.search(vector[None, :], self.settings.pool)
        rows = np.union1d(columns.rows_of([int(v) for v in vids[0] if v >= 0]), matched).astype(np.int64)
        pool = columns.vids[rows]
        dense = self.index.vectors.similarities(pool, vector)
        best = self.index.sentences.best(pool, vector)
        unit = np.where(np.isnan(best), dense, np.fmax(dense, best))
        share = self.index.lexical.coverage(stems)[rows] if len(rows) else np.zeros(0, np.float32)
        return Judged(rows, unit - self.background.level(vector), share)

    def mask(self, key, vector: np.ndarray, stems: list[str], matched: np.ndarray,
             names_absent: bool = False) -> np.ndarray:
        """The relevant passages, a flag per row of ``index.columns`` (all False: nothing relevant).
        ``names_absent``: the question names something no publication holds (stricter gate)."""
        def compute() -> np.ndarray:
            s = self.settings
            out = np.zeros(len(self.index.columns), bool)
            if not stems:                   # stop words only: no subject to be relevant to
                return out
            judged = self.judge(vector, stems, matched)
            if judged.passes(max(s.gate, s.absent_gate) if names_absent else s.gate):
                out[judged.rows[judged.relevance(s.lexical_weight) >= s.floor]] = True
            return out
        return self._masks.get_or(key, compute)
