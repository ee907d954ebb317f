"""Wires settings, model, ingestion, index and search together, once, for the CLI and the web app."""
from __future__ import annotations

from functools import cached_property

from index.index import Index
from index.indexer import Indexer
from ingest.embedder import Embedder
from ingest.pipeline import Ingestor
from ingest.settings import Settings
from search.searcher import Searcher


class Context:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()

    @cached_property
    def embedder(self) -> Embedder:
        return Embedder(self.settings)

    @cached_property
    def indexer(self) -> Indexer:
        return Indexer(self.settings.data_dir, Ingestor(self.embedder))

    def index(self) -> Index:
        return Index.current(self.settings.data_dir)

    def searcher(self) -> Searcher:
        return Searcher(self.index(), self.embedder)
