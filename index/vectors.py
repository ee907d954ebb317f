"""Passage vectors in FAISS, by vid (the integer id the store gives a passage; see ingest/glossary.py).

The exact index (inner product over every normalised vector) is the truth: it answers small
corpora, selective filters and the exact re-scoring of approximate candidates. Past a size the
snapshot also holds an approximate index, HNSW over 8-bit codes, that proposes candidates in
sub-linear time. HNSW cannot delete: removed ids become tombstones it skips, and the graph is
rebuilt once they pass a share of it."""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from pathlib import Path

import faiss
import numpy as np

HNSW_M = 32                  # graph degree: recall@10 0.99 at efSearch 128 on real e5 vectors (bench/ann_recall.py)
EF_CONSTRUCTION = 64
EF_SEARCH = 256
OVERFETCH = 2                # approximate candidates fetched per result, then re-scored exactly
EXACT_BELOW = 0.10           # a filter keeping under this share of passages is searched exactly
REBUILD_AT = 0.20            # rebuild the graph once tombstones are this share of it
# One question is searched on its caller's thread alone: with FAISS's two OpenMP threads a flat search
# of the bundled corpus (349 vectors, k 200) took 16 ms on a busy hour — its threads waiting for a
# core — and 0.03 ms on one. Concurrent questions get their parallelism from the web server's threads;
# batches of questions (benchmarks, evaluation) keep the process's OpenMP threads.
QUESTION_THREADS = 1


@contextmanager
def _openmp_threads(n: int):
    """OpenMP's thread count is each calling thread's own (a request thread does not see what the
    main thread set at start-up): set it around one call, then restore it."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def _keep(selector: faiss.IDSelector, *objects) -> faiss.IDSelector:
    """The C++ selector points into ``objects`` (arrays, other selectors): they live as long as it."""
    selector.referenced_objects = objects
    return selector


def _bitmap(vids) -> faiss.IDSelector:
    """A selector of ``vids`` as a bitmap over ids (constant-time membership, cheap to build
    even for hundreds of thousands of ids)."""
    vids = np.asarray(vids, dtype=np.int64)
    bits = np.zeros(int(vids.max()) + 1 if len(vids) else 1, bool)
    bits[vids] = True
    packed = np.packbits(bits, bitorder="little")
    return _keep(faiss.IDSelectorBitmap(len(packed), faiss.swig_ptr(packed)), packed)    # length in bytes


class VectorIndex:
    def __init__(self, dim: int, index: faiss.Index | None = None, ann: faiss.Index | None = None,
                 tombstones: set[int] | None = None):
        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.ann = ann
        self.tombstones = tombstones or set()
        self._alive: faiss.IDSelector | None = None      # selector skipping the tombstones, built once

    def __len__(self) -> int:
        return self.index.ntotal

    # -- writing -------------------------------------------------------------------------
    def add(self, vids: list[int], vectors: np.ndarray) -> None:
        if len(vids):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            ids = np.asarray(vids, dtype=np.int64)
            self.index.add_with_ids(vectors, ids)
            if self.ann is not None:
                self.ann.add_with_ids(vectors, ids)

    def remove(self, vids: list[int]) -> None:
        if vids:
            self.index.remove_ids(np.asarray(vids, dtype=np.int64))
            if self.ann is not None:
                self.tombstones.update(int(v) for v in vids)
                self._alive = None

    def maintain(self, ann_min: int) -> None:
        """Keep an approximate index exactly when the corpus has ``ann_min`` passages or more,
        rebuilt when it does not exist yet or holds too many tombstones."""
        if len(self) < ann_min or len(self) == 0:
            self.ann, self.tombstones, self._alive = None, set(), None
        elif self.ann is None or len(self.tombstones) > REBUILD_AT * self.ann.ntotal:
            self.build_ann()

    def build_ann(self) -> None:
        ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        vectors = self.index.index.reconstruct_n(0, len(self))
        hnsw = faiss.IndexHNSWSQ(self.dim, faiss.ScalarQuantizer.QT_8bit, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = EF_CONSTRUCTION
        hnsw.train(vectors)
        ann = faiss.IndexIDMap(hnsw)
        ann.add_with_ids(vectors, ids)
        self.ann, self.tombstones, self._alive = ann, set(), None

    # -- reading ------------------------------------------------------------------------
    def vector(self, vid: int) -> np.ndarray:
        return self.index.reconstruct(int(vid))

    def similarities(self, vids, query: np.ndarray) -> np.ndarray:
        """Inner products of ``query`` with the vectors of ``vids``, in one gather."""
        vids = np.asarray(vids, np.int64)
        if not len(vids):
            return np.zeros(0, np.float32)
        return self.index.reconstruct_batch(vids) @ np.asarray(query, np.float32)

    def search(self, queries: np.ndarray, k: int, allowed: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, vids) per query, best first; ``allowed`` restricts the search to those ids.
        Scores are always exact inner products."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = max(1, min(k, len(self)))
        if len(self) == 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        with _openmp_threads(QUESTION_THREADS) if len(queries) == 1 else nullcontext():
            if self.ann is None or (allowed is not None and len(allowed) < EXACT_BELOW * len(self)):
                return self._exact(queries, k, allowed)
            return self._approximate(queries, k, allowed)

    def _exact(self, queries: np.ndarray, k: int, allowed: list[int] | None):
        if allowed is None:
            return self.index.search(queries, k)
        return self.index.search(queries, k, params=faiss.SearchParameters(sel=_bitmap(allowed)))

    def _approximate(self, queries: np.ndarray, k: int, allowed: list[int] | None):
        fetch = k * OVERFETCH
        params = faiss.SearchParametersHNSW()
        # a filter thins the graph walk: widen it in proportion so as many candidates survive
        share = len(allowed) / len(self) if allowed is not None else 1.0
        params.efSearch = int(min(4096, max(EF_SEARCH, fetch) / share))
        selector = _bitmap(allowed) if allowed is not None else None
        if self.tombstones:
            if self._alive is None:
                dead = _bitmap(np.fromiter(self.tombstones, np.int64))
                self._alive = _keep(faiss.IDSelectorNot(dead), dead)
            selector = self._alive if selector is None else _keep(faiss.IDSelectorAnd(selector, self._alive),
                                                                  selector, self._alive)
        if selector is not None:
            params.sel = selector
        _, candidates = self.ann.search(queries, fetch, params=params)
        scores = np.full((len(queries), k), -np.inf, np.float32)
        vids = np.full((len(queries), k), -1, np.int64)
        for row, (query, found) in enumerate(zip(queries, candidates)):
            found = found[found >= 0]
            if not len(found):
                continue
            exact = self.index.reconstruct_batch(found) @ query      # exact re-scoring
            order = np.argsort(-exact)[:k]
            scores[row, :len(order)], vids[row, :len(order)] = exact[order], found[order]
        return scores, vids

    # -- files --------------------------------------------------------------------------------
    def save(self, folder: Path, vectors_file: str, ann_file: str) -> dict:
        """Write the index files into ``folder``; returns what config.json records about them."""
        faiss.write_index(self.index, str(folder / vectors_file))
        if self.ann is None:
            return {"file": vectors_file, "ann": None}
        faiss.write_index(self.ann, str(folder / ann_file))
        np.save(folder / (ann_file + ".tombstones.npy"), np.fromiter(sorted(self.tombstones), np.int64))
        return {"file": vectors_file, "ann": {"file": ann_file, "factory": f"HNSW{HNSW_M},SQ8",
                                                 "tombstones": len(self.tombstones)}}

    @classmethod
    def load(cls, folder: Path, config: dict) -> "VectorIndex":
        index = faiss.read_index(str(folder / config["file"]))
        ann, tombstones = None, set()
        if config.get("ann"):
            ann = faiss.read_index(str(folder / config["ann"]["file"]))
            tombstones = set(np.load(folder / (config["ann"]["file"] + ".tombstones.npy")).tolist())
        return cls(index.d, index, ann, tombstones)
