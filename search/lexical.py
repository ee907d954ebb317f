"""The lexical side: BM25 over the snapshot's inverted index of analysed French terms,
with unknown words corrected to their nearest corpus words first."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from index.analysis import analyse, strip_accents, words
from index.postings import Postings

from .cache import LRU


@dataclass
class Spelling:
    query: str                                     # the question as typed
    corrections: dict[str, str] = field(default_factory=dict)
    coverage: float = 1.0                          # share of the question's words the corpus knows
    absent: tuple[str, ...] = ()                   # names it gives that no publication holds (« Rennes »)

    @property
    def lexical_query(self) -> str:
        """The question plus the corrected words (a correction may be wrong: both are searched)."""
        return " ".join([self.query, *self.corrections.values()])


SENTENCE_END = re.compile(r"[.?!:;]\s+")
NAME_WORD = re.compile(r"[^\W\d_][\w-]*")   # a word that may be a name: letters first, no digits


def names(query: str) -> list[str]:
    """The capitalised words of a question past each sentence's first word (« Rennes », « Saint-Malo »):
    the names it gives. Acronyms (« PSG », « ODD ») are left out: they are often the corpus's own."""
    found = []
    for sentence in SENTENCE_END.split(query):
        found += [w for w in NAME_WORD.findall(sentence)[1:] if w[0].isupper() and not w.isupper()]
    return found


class LexicalSearcher:
    def __init__(self, postings: Postings):
        self.postings = postings
        self._scores = LRU(8)      # a question's BM25 over all passages, reused by its per-entry-point groups

    @cached_property
    def vocabulary(self) -> dict[str, int]:
        """Surface words of the corpus and how many passages hold them."""
        return self.postings.frequencies("words")

    @cached_property
    def _words(self) -> list[str]:
        return list(self.vocabulary)

    @cached_property
    def terms(self) -> set[str]:
        return set(self.postings.frequencies("stems"))

    @cached_property
    def _folded(self) -> dict[str, str]:
        """Accent-free form → most frequent corpus word, so "territorialite" finds "territorialité"."""
        out: dict[str, str] = {}
        for word, df in sorted(self.vocabulary.items(), key=lambda kv: kv[1]):
            out[strip_accents(word)] = word
        return out

    def correct(self, word: str) -> str | None:
        if word in self.vocabulary or word.isdigit() or len(word) < 4 or set(analyse(word)) <= self.terms:
            return None
        if strip_accents(word) in self._folded:
            return self._folded[strip_accents(word)]
        limit = 1 if len(word) <= 6 else 2
        found = process.extract(word, self._words, scorer=Levenshtein.distance, score_cutoff=limit,
                                limit=5)
        if not found:
            return None
        best = min(d for _, d, _ in found)
        return max((w for w, d, _ in found if d == best), key=lambda w: self.vocabulary[w])

    def spell(self, query: str) -> Spelling:
        ws = words(query)
        corrections = {w: c for w in ws if (c := self.correct(w))}
        known = sum(1 for w in ws if w in self.vocabulary or w in corrections or w.isdigit())
        return Spelling(query, corrections, known / len(ws) if ws else 0.0, tuple(self.absent(query)))

    def absent(self, query: str) -> list[str]:
        """The names of ``query`` that no publication holds, even misspelt or inflected."""
        def held(word: str) -> bool:
            return word in self.vocabulary or set(analyse(word)) <= self.terms or self.correct(word) is not None
        return [name for name in names(query) if not all(held(w) for w in words(name))]

    def _all(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        scores = self.postings.scores(analyse(query), words(query))
        return scores, np.flatnonzero(scores)

    def scores(self, query: str) -> np.ndarray:
        """BM25 of every passage (a value per row) for ``query``."""
        return self._scores.get_or(query, lambda: self._all(query))[0]

    def search(self, query: str, n: int, mask: np.ndarray | None = None) -> tuple[list[tuple[int, float]], np.ndarray]:
        """(vid, BM25 score) of the best ``n`` passages, best first, and the rows of every passage
        sharing a term with ``query``; ``mask`` (a boolean per row) filters both."""
        scores, matched = self._scores.get_or(query, lambda: self._all(query))
        if mask is not None:
            matched = matched[mask[matched]]
        best = scores[matched]
        part = np.argpartition(-best, n)[:n] if len(matched) > n else np.arange(len(matched))
        top = matched[part[np.argsort(-best[part], kind="stable")]]
        vids = self.postings.vids
        return [(int(vids[r]), float(scores[r])) for r in top], matched
