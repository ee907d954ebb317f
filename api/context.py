"""Wires settings, model, ingestion, index and search together, once, for the CLI and the web app."""
from __future__ import annotations

import threading
from functools import cached_property

from index.contract import SearchIndex
from index.index import Index
from index.indexer import Indexer
from ingest.embedder import Embedder
from ingest.pipeline import Ingestor
from ingest.settings import Settings
from search.searcher import Searcher


class Context:
    """The settings and the embedding model, given (tests and benchmarks share one model) or, for
    the model, made from the settings when first needed; the indexer and searchers built on them."""

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        self.settings = settings or Settings()
        self._embedder = embedder
        self._making = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        with self._making:
            if self._embedder is None:
                self._embedder = Embedder(self.settings)
            return self._embedder

    @cached_property
    def indexer(self) -> Indexer:
        return Indexer(self.settings.data_dir, Ingestor(self.embedder))

    def index(self) -> SearchIndex:
        """The current snapshot, served by the backend the settings name."""
        local = Index.current(self.settings.data_dir)
        if self.settings.backend == "milvus":
            from index.milvus import MilvusIndex, MilvusSettings

            return MilvusIndex.serve(local, MilvusSettings(uri=self.settings.milvus_uri))
        return local

    def searcher(self) -> Searcher:
        return Searcher(self.index(), self.embedder)
