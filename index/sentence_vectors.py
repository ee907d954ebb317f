"""Vectors of passages' sentences, read only for a question's candidates: a passage's best
sentence sharpens its dense score (a question usually matches one sentence, which the passage
vector dilutes).

Rows are kept in vid order (vids only grow, so new rows append), as float16; a snapshot
holds them in two .npy files read through a memory map, so they cost disk, not memory, and
writing a snapshot streams the old rows instead of loading them."""
from __future__ import annotations

from pathlib import Path

import numpy as np

DTYPE = np.float16      # half the size of float32; similarities equal to 1e-3
CHUNK = 1 << 16         # rows copied at a time when a snapshot is written


class SentenceVectors:
    def __init__(self, dim: int, owners: np.ndarray | None = None, vectors: np.ndarray | None = None):
        self.dim = dim
        self.owners = owners if owners is not None else np.zeros(0, np.int64)      # the vid of each row's passage
        self.vectors = vectors if vectors is not None else np.zeros((0, dim), DTYPE)
        self._keep: np.ndarray | None = None          # rows of ``vectors`` still alive (None: all)
        self._added: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        kept = len(self.owners) if self._keep is None else int(self._keep.sum())
        return kept + sum(len(o) for o, _ in self._added)

    # -- writing -------------------------------------------------------------------------
    def add(self, owners, vectors: np.ndarray) -> None:
        """Rows for new passages, whose ids are all greater than any held (the store's counter)."""
        owners = np.asarray(owners, np.int64)
        if not len(owners):
            return
        last = max((int(o[-1]) for o in [self.owners, *(o for o, _ in self._added)] if len(o)), default=-1)
        if np.any(np.diff(owners) < 0) or owners[0] <= last:
            raise ValueError("sentence rows must come in growing vid order")
        self._added.append((owners, np.asarray(vectors, DTYPE)))

    def remove(self, vids) -> None:
        vids = np.asarray(list(vids), np.int64)
        if len(vids):
            gone = np.isin(self.owners, vids)
            self._keep = ~gone if self._keep is None else self._keep & ~gone
            self._added = [(o[~gone], v[~gone]) for o, v in self._added for gone in [np.isin(o, vids)]]

    def _settle(self) -> None:
        """Apply pending changes in memory (only an index searched before it is saved needs it)."""
        if self._keep is None and not self._added:
            return
        keep = slice(None) if self._keep is None else self._keep
        self.owners = np.concatenate([self.owners[keep]] + [o for o, _ in self._added])
        self.vectors = np.concatenate([np.asarray(self.vectors[keep])] + [v for _, v in self._added])
        self._keep, self._added = None, []

    # -- reading ------------------------------------------------------------------------
    def of(self, vid: int) -> np.ndarray:
        """The sentence rows of one passage (none when its own vector stands for its one sentence)."""
        self._settle()
        lo, hi = np.searchsorted(self.owners, [vid, vid + 1])
        return np.asarray(self.vectors[lo:hi], np.float32)

    def best(self, vids, query: np.ndarray) -> np.ndarray:
        """For each vid, the similarity of its best sentence to ``query``; NaN for a passage
        without sentence rows."""
        self._settle()
        vids = np.asarray(vids, np.int64)
        starts = np.searchsorted(self.owners, vids, "left")
        counts = np.searchsorted(self.owners, vids, "right") - starts
        out = np.full(len(vids), np.nan, np.float32)
        has = counts > 0
        if not has.any():
            return out
        starts, counts = starts[has], counts[has]
        firsts = np.cumsum(counts) - counts      # where each candidate's rows begin in the gather
        rows = np.repeat(starts - firsts, counts) + np.arange(counts.sum())
        similarities = np.asarray(self.vectors[rows], np.float32) @ np.asarray(query, np.float32)
        out[has] = np.maximum.reduceat(similarities, firsts)
        return out

    # -- files --------------------------------------------------------------------------------
    def save(self, folder: Path, file: str) -> dict:
        """Stream the kept rows and the new ones into ``folder``; returns what config.json records."""
        total = len(self)
        config = {"file": f"{file}.npy", "owners": f"{file}.owners.npy", "rows": total, "dtype": np.dtype(DTYPE).name}
        if total == 0:      # a memory map cannot be empty
            np.save(folder / config["file"], np.zeros((0, self.dim), DTYPE))
            np.save(folder / config["owners"], np.zeros(0, np.int64))
            return config
        vectors = np.lib.format.open_memmap(folder / config["file"], "w+", DTYPE, (total, self.dim))
        owners = np.lib.format.open_memmap(folder / config["owners"], "w+", np.int64, (total,))
        kept = np.flatnonzero(self._keep) if self._keep is not None else np.arange(len(self.owners))
        at = 0
        for lo in range(0, len(kept), CHUNK):
            rows = kept[lo:lo + CHUNK]
            vectors[at:at + len(rows)], owners[at:at + len(rows)] = self.vectors[rows], self.owners[rows]
            at += len(rows)
        for o, v in self._added:
            vectors[at:at + len(o)], owners[at:at + len(o)] = v, o
            at += len(o)
        vectors.flush()
        owners.flush()
        return config

    @classmethod
    def load(cls, folder: Path, config: dict, dim: int) -> "SentenceVectors":
        return cls(dim, np.load(folder / config["owners"], mmap_mode="r"),
                   np.load(folder / config["file"], mmap_mode="r"))
