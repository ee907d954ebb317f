"""The lexical side: BM25 over the snapshot's FTS5 index of analysed French terms,
with unknown words corrected to their nearest corpus words first."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from index.analysis import analyse, fold, words
from index.store import Store


HEADER_WEIGHT = 0.6   # a context header is shared by a whole section: it counts less than the text
WORDS_WEIGHT = 1.0    # exact (unstemmed) word matches, on top of the stems


@dataclass
class Spelling:
    query: str                                     # the question as typed
    corrections: dict[str, str] = field(default_factory=dict)
    coverage: float = 1.0                          # share of the question's words the corpus knows

    @property
    def lexical_query(self) -> str:
        """The question plus the corrected words (a correction may be wrong: both are searched)."""
        return " ".join([self.query, *self.corrections.values()])


class LexicalSearcher:
    def __init__(self, store: Store):
        self.store = store

    @cached_property
    def vocabulary(self) -> dict[str, int]:
        """Surface words of the corpus and how many passages hold them."""
        rows = self.store.db.execute("SELECT term, doc FROM lexical_vocab WHERE col='words'")
        return dict(rows)

    @cached_property
    def terms(self) -> set[str]:
        return {t for (t,) in self.store.db.execute("SELECT term FROM lexical_vocab WHERE col='terms'")}

    @cached_property
    def _folded(self) -> dict[str, str]:
        """Accent-free form → most frequent corpus word, so "territorialite" finds "territorialité"."""
        out: dict[str, str] = {}
        for word, df in sorted(self.vocabulary.items(), key=lambda kv: kv[1]):
            out[fold(word)] = word
        return out

    def correct(self, word: str) -> str | None:
        if word in self.vocabulary or word.isdigit() or len(word) < 4 or set(analyse(word)) <= self.terms:
            return None
        if fold(word) in self._folded:
            return self._folded[fold(word)]
        limit = 1 if len(word) <= 6 else 2
        found = process.extract(word, list(self.vocabulary), scorer=Levenshtein.distance, score_cutoff=limit,
                                limit=5)
        if not found:
            return None
        best = min(d for _, d, _ in found)
        return max((w for w, d, _ in found if d == best), key=lambda w: self.vocabulary[w])

    def spell(self, query: str) -> Spelling:
        ws = words(query)
        corrections = {w: c for w in ws if (c := self.correct(w))}
        known = sum(1 for w in ws if w in self.vocabulary or w in corrections or w.isdigit())
        return Spelling(query, corrections, known / len(ws) if ws else 0.0)

    def search(self, query: str, n: int | None, where: str = "1", args: list | None = None) -> list[tuple[int, float]]:
        """(vid, BM25 score) of the best ``n`` passages (all matches when ``n`` is None), best first;
        ``where`` filters ``passages p``."""
        terms = sorted(set(analyse(query)))
        if not terms:
            return []
        match = "{terms header} : (" + " OR ".join('"' + t.replace('"', "") + '"' for t in terms) + ")"
        if WORDS_WEIGHT:
            exact = sorted(set(words(query)))
            match = f"({match}) OR words : (" + " OR ".join('"' + w.replace('"', "") + '"' for w in exact) + ")"
        rank = f"bm25(lexical, 1.0, {HEADER_WEIGHT}, {WORDS_WEIGHT})"
        rows = self.store.db.execute(
            f"SELECT lexical.rowid, -{rank} FROM lexical JOIN passages p ON p.vid = lexical.rowid "
            f"WHERE lexical MATCH ? AND {where} ORDER BY {rank} LIMIT ?", [match, *(args or []), n or -1])
        return [(int(v), float(s)) for v, s in rows]
