"""Passage vectors in FAISS: exact inner product (cosine on normalised vectors), with an id map
so passages can be added and removed by their integer id."""
from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

faiss.omp_set_num_threads(2)


class VectorIndex:
    def __init__(self, dim: int, index: faiss.Index | None = None):
        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def __len__(self) -> int:
        return self.index.ntotal

    def add(self, vids: list[int], vectors: np.ndarray) -> None:
        if len(vids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(vids, dtype=np.int64))

    def remove(self, vids: list[int]) -> None:
        if vids:
            self.index.remove_ids(np.asarray(vids, dtype=np.int64))

    def vector(self, vid: int) -> np.ndarray:
        return self.index.reconstruct(int(vid))

    def search(self, queries: np.ndarray, k: int, allowed: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, vids) per query; ``allowed`` restricts the search to those ids."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = max(1, min(k, len(self)))
        if len(self) == 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))
        scores, vids = self.index.search(queries, k, params=params)
        return scores, vids

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> "VectorIndex":
        index = faiss.read_index(str(path))
        return cls(index.d, index)
