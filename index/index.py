"""A loaded snapshot: a self-describing folder — config.json (read first: what the folder holds),
store.sqlite (documents, passages, labels), vectors.faiss (+ ann.faiss past the size where vector
search turns approximate), sentences.npy (+ the passage of each row) and lexical.npz (+ its vocabulary)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ingest.actors import Directory
from ingest.errors import CatalyseError

from .analysis import analyse, words
from .columns import Columns
from .contract import Scored, Where
from .postings import Postings
from .sentence_vectors import SentenceVectors
from .snapshots import Snapshots
from .store import Store
from .vectors import VectorIndex

CONFIG, VECTORS, ANN, SENTENCES, LEXICAL, STORE, ACTORS = ("config.json", "vectors.faiss", "ann.faiss", "sentences",
                                                           "lexical", "store.sqlite", "actors.json")
FORMAT = 6      # 3: sentence vectors; 4: provenance by slide and time (columns slide, time_start, time_end);
                # 5: dotted numbers (« 17.17 ») are lexical terms; 6: the directory of actors (actors.json) and
                # passages' entities corrected (ingest/actors.py)


class IndexMissing(CatalyseError):
    code = "no_index"


class ModelMismatch(CatalyseError):
    code = "model_mismatch"


@dataclass
class Index:
    path: Path
    config: dict
    store: Store
    vectors: VectorIndex
    sentences: SentenceVectors
    lexical: Postings

    @classmethod
    def load(cls, path: Path) -> "Index":
        """Read config.json first: it says what the folder holds and which model built it."""
        path = Path(path)
        config = json.loads((path / CONFIG).read_text())
        if config.get("format") != FORMAT:
            raise CatalyseError(f"format d'index inconnu dans {path} : lancez « catalyse reindex »", "old_index")
        vectors = VectorIndex.load(path, config["vectors"])
        return cls(path, config, Store(path / STORE), vectors,
                   SentenceVectors.load(path, config["sentences"], vectors.dim), Postings.load(path, config["lexical"]))

    @cached_property
    def columns(self) -> Columns:
        """Filterable fields as arrays (read from the store on first use)."""
        return Columns.load(self.store)

    @cached_property
    def actors(self) -> Directory:
        """The directory of people and organisations, built with this snapshot (read on first use)."""
        return Directory.from_list(json.loads((self.path / self.config["actors"]).read_text(encoding="utf-8")))

    @classmethod
    def current(cls, data_dir: Path) -> "Index":
        path = Snapshots(data_dir).current()
        if path is None:
            raise IndexMissing(f"aucun index dans {data_dir} : lancez « catalyse ingest »")
        return cls.load(path)

    @property
    def model(self) -> str:
        return self.config["model"]

    def check_model(self, model: str) -> None:
        if model != self.model:
            raise ModelMismatch(f"l'index a été construit avec le modèle {self.model!r}, la configuration "
                                f"demande {model!r} : lancez « catalyse reindex » pour reconstruire")

    def stats(self) -> dict:
        return {"snapshot": self.path.name, "model": self.model, "dim": self.vectors.dim,
                "documents": self.store.count("documents"), "passages": self.store.count("passages"),
                "vectors": len(self.vectors), "sentence_vectors": len(self.sentences),
                "approximate": self.vectors.ann is not None, "built_at": self.config.get("built_at")}

    # -- the backend contract (index/contract.py) ---------------------------------------------
    def dense(self, vector: np.ndarray, k: int, where: Where | None = None) -> Scored:
        mask = self.columns.mask(where or {})
        if mask is not None and not mask.any():
            return []
        scores, vids = self.vectors.search(vector[None, :], k, None if mask is None else self.columns.vids[mask])
        return [(int(v), float(x)) for x, v in zip(scores[0], vids[0]) if v >= 0]

    def lexical_search(self, query: str, k: int, where: Where | None = None) -> Scored:
        scores = self.lexical.scores(analyse(query), words(query))
        mask = self.columns.mask(where or {})
        if mask is not None:
            scores = np.where(mask, scores, 0)
        rows = [r for r in np.argsort(-scores, kind="stable")[:k] if scores[r] > 0]
        return [(int(self.lexical.vids[r]), float(scores[r])) for r in rows]

    def facets(self, vids: list[int], field: str) -> list[tuple[str, int]]:
        selected = np.zeros(len(self.columns), bool)
        selected[self.columns.rows_of(vids)] = True
        return self.columns.tally(selected).counts(field)

    def close(self) -> None:
        self.store.close()
