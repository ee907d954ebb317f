"""The lexical index: an inverted index of analysed French terms held as sparse term-by-passage
matrices (scipy CSC: one column per term = its posting list), scored with BM25 at query time.

Two fields: the stems of a passage's text plus, weighted down, those of its context header; and
its surface words (exact matches, and the vocabulary typo correction draws on). BM25 is the
formula of SQLite FTS5's ``bm25()`` with column weights (k1 1.2, b 0.75, a row's length over all
fields, IDF floored at 1e-6), computed only over the postings of the question's terms: a
question touches a few posting lists, never every passage. IDF and average length are read at
query time, so adding passages is an append, not a rebuild of every score."""
from __future__ import annotations

import json
from array import array
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .analysis import analyse, words

K1, B = 1.2, 0.75
HEADER_WEIGHT = 0.6   # a context header is shared by a whole section: it counts less than the text
WORDS_WEIGHT = 1.0    # exact (unstemmed) word matches, on top of the stems
FIELDS = ("stems", "words")


class Postings:
    def __init__(self, vocab: dict[str, dict[str, int]] | None = None, matrices: dict[str, sp.csc_matrix] | None = None,
                 lengths: np.ndarray | None = None, vids: np.ndarray | None = None):
        self.vocab = vocab or {f: {} for f in FIELDS}
        self.matrices = matrices or {f: sp.csc_matrix((0, 0), dtype=np.float32) for f in FIELDS}
        self.lengths = lengths if lengths is not None else np.zeros(0, np.float32)   # tokens per passage
        self.vids = vids if vids is not None else np.zeros(0, np.int64)               # row → vid, sorted
        self._impacts_cache: dict[str, np.ndarray] = {}                            # emptied by every change

    def __len__(self) -> int:
        return len(self.vids)

    # -- writing -------------------------------------------------------------------------
    def add(self, vids: list[int], texts: list[str], headers: list[str]) -> None:
        """Append passages (ids larger than every id already held, so rows stay sorted by id).
        One call per batch: each call re-stacks the matrices."""
        if not len(vids):
            return
        assert not len(self.vids) or min(vids) > self.vids[-1], "vids must grow"
        entries = {f: (array("i"), array("i"), array("f")) for f in FIELDS}     # row, column, weighted tf
        lengths = array("f")
        for r, (text, header) in enumerate(zip(texts, headers)):
            stems, heads, surface = analyse(text), analyse(header), words(f"{header} {text}")
            lengths.append(len(stems) + len(heads) + len(surface))
            weighted = Counter(stems)
            for term, n in Counter(heads).items():
                weighted[term] += HEADER_WEIGHT * n
            for field, counts in (("stems", weighted), ("words", {w: WORDS_WEIGHT * n for w, n in Counter(surface).items()})):
                vocab, (rr, cc, ff) = self.vocab[field], entries[field]
                for term, freq in counts.items():
                    rr.append(r)
                    cc.append(vocab.setdefault(term, len(vocab)))
                    ff.append(freq)
        for field in FIELDS:
            rr, cc, ff = (np.frombuffer(a, dtype=a.typecode) for a in entries[field])
            shape = (len(vids), len(self.vocab[field]))
            new = sp.csc_matrix((ff.astype(np.float32), (rr, cc)), shape=shape)
            old = self.matrices[field]
            widened = sp.csc_matrix((old.data, old.indices, np.pad(old.indptr, (0, shape[1] - old.shape[1]), mode="edge")),
                                    shape=(old.shape[0], shape[1]))
            self.matrices[field] = sp.vstack([widened, new], format="csc", dtype=np.float32)
        self.lengths = np.concatenate([self.lengths, np.frombuffer(lengths, np.float32)])
        self.vids = np.concatenate([self.vids, np.asarray(vids, np.int64)])
        self._impacts_cache = {}

    def remove(self, vids: list[int]) -> None:
        if not len(vids) or not len(self.vids):
            return
        keep = ~np.isin(self.vids, np.asarray(vids, np.int64))
        if keep.all():
            return
        self.matrices = {f: m[keep] for f, m in self.matrices.items()}
        self.lengths, self.vids = self.lengths[keep], self.vids[keep]
        self._impacts_cache = {}

    # -- reading ----------------------------------------------------------------------------
    def frequencies(self, field: str) -> dict[str, int]:
        """Each term of ``field`` and how many passages hold it."""
        df = np.diff(self.matrices[field].indptr)
        return {t: int(df[j]) for t, j in self.vocab[field].items() if df[j]}

    def _impacts(self, field: str) -> np.ndarray:
        """Each posting's BM25 term-frequency part, tf (k1 + 1) / (tf + k1 (1 - b + b · length /
        mean length)), aligned with the matrix's data; computed once until the passages change,
        so a question only multiplies by IDF and adds."""
        if field not in self._impacts_cache:
            matrix = self.matrices[field]
            norm = (K1 * (1 - B + B * self.lengths / self.lengths.mean())).astype(np.float32)
            self._impacts_cache[field] = matrix.data * (K1 + 1) / (matrix.data + norm[matrix.indices])
        return self._impacts_cache[field]

    def scores(self, stems: list[str], surface: list[str]) -> np.ndarray:
        """BM25 of every passage (0 = no shared term) for a question's stems and words."""
        n_rows = len(self.vids)
        score = np.zeros(n_rows, np.float32)
        if not n_rows:
            return score
        for field, terms in (("stems", stems), ("words", surface)):
            matrix, vocab, impacts = self.matrices[field], self.vocab[field], self._impacts(field)
            for term in dict.fromkeys(terms):
                j = vocab.get(term)
                if j is None:
                    continue
                a, z = matrix.indptr[j], matrix.indptr[j + 1]
                if a == z:
                    continue
                idf = np.log((n_rows - (z - a) + 0.5) / ((z - a) + 0.5))
                score[matrix.indices[a:z]] += np.float32(idf if idf > 0 else 1e-6) * impacts[a:z]
        return score

    def idf(self, stems: list[str]) -> dict[str, float]:
        """Each distinct stem's IDF, as BM25 computes it; a stem the corpus never uses weighs as
        much as the rarest one (a question about something absent is mostly uncovered)."""
        n_rows = len(self.vids)
        indptr, vocab = self.matrices["stems"].indptr, self.vocab["stems"]
        rarest = np.log((n_rows + 0.5) / 0.5)
        out = {}
        for term in dict.fromkeys(stems):
            j = vocab.get(term)
            d = int(indptr[j + 1] - indptr[j]) if n_rows and j is not None else 0
            out[term] = max(float(np.log((n_rows - d + 0.5) / (d + 0.5)) if d else rarest), 1e-6)
        return out

    def coverage(self, stems: list[str]) -> np.ndarray:
        """For every passage, the share of the question's distinct stems it holds, each weighted by
        its IDF (``idf``)."""
        n_rows = len(self.vids)
        held = np.zeros(n_rows, np.float32)
        weights = self.idf(stems) if n_rows else {}
        if not weights:
            return held
        matrix, vocab = self.matrices["stems"], self.vocab["stems"]
        for term, idf in weights.items():
            j = vocab.get(term)
            if j is not None:
                a, z = matrix.indptr[j], matrix.indptr[j + 1]
                held[matrix.indices[a:z]] += np.float32(idf)
        return held / np.float32(sum(weights.values()))

    # -- files ------------------------------------------------------------------------------
    def save(self, folder: Path, name: str) -> dict:
        arrays = {"lengths": self.lengths, "vids": self.vids}
        for field, m in self.matrices.items():
            arrays.update({f"{field}_data": m.data, f"{field}_indices": m.indices, f"{field}_indptr": m.indptr})
        np.savez(folder / f"{name}.npz", **arrays)
        (folder / f"{name}.vocab.json").write_text(json.dumps({f: list(v) for f, v in self.vocab.items()},
                                                             ensure_ascii=False))
        return {"file": f"{name}.npz", "vocabulary": f"{name}.vocab.json", "bm25": {"k1": K1, "b": B},
                "weights": {"header": HEADER_WEIGHT, "words": WORDS_WEIGHT}}

    @classmethod
    def load(cls, folder: Path, config: dict) -> "Postings":
        arrays = np.load(folder / config["file"])
        terms = json.loads((folder / config["vocabulary"]).read_text())
        vocab = {f: {t: j for j, t in enumerate(terms[f])} for f in FIELDS}
        n = len(arrays["vids"])
        matrices = {f: sp.csc_matrix((arrays[f"{f}_data"], arrays[f"{f}_indices"], arrays[f"{f}_indptr"]),
                                     shape=(n, len(vocab[f]))) for f in FIELDS}
        return cls(vocab, matrices, arrays["lengths"], arrays["vids"])
