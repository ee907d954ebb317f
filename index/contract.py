"""The one contract between search/ and an index backend: what search/ reads (``SearchIndex``) and
what a backend must also do to be served (``IndexBackend``: dense and lexical search under filters,
facet counts over a result set, stats; ``LiveBackend``: add/remove a publication in place).

Written from what search/ calls today (searcher, relevance, answer, overview, actors, related):
``vectors`` (``DenseSearch``), ``store`` (``PassageReader``), ``columns`` (the filterable fields as
arrays), ``lexical`` (BM25 postings: the relevance floor and spelling read every passage's score),
``sentences`` (sentence vectors for re-scoring) and ``actors``. The embedded index (index.py)
implements all of it; the Milvus backend (milvus.py) answers dense, lexical, hybrid, passages and
facets from Milvus and keeps columns, postings and sentence vectors on the client (docs/scaling.md).

A ``where`` is the filters as plain data: column name (``ingest.glossary.FACETS``' ``column``, or
``page_min``/``page_max``) → accepted values; values of one column OR-ed, columns AND-ed."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, Protocol, runtime_checkable

import numpy as np

from ingest.actors import Directory
from ingest.document import Document, Passage

from .columns import Columns
from .postings import Postings
from .sentence_vectors import SentenceVectors

Where = dict[str, list]
Scored = list[tuple[int, float]]        # (vid, score), best first


@runtime_checkable
class DenseSearch(Protocol):
    dim: int

    def __len__(self) -> int: ...

    def search(self, queries: np.ndarray, k: int, allowed: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, vids) per query row, best first (vid -1 pads); ``allowed`` restricts the ids."""

    def similarities(self, vids, query: np.ndarray) -> np.ndarray: ...

    def vector(self, vid: int) -> np.ndarray: ...


@runtime_checkable
class PassageReader(Protocol):
    def passages(self, vids: list[int]) -> dict[int, Passage]: ...

    def titles(self) -> dict[str, str]: ...

    def source_files(self) -> dict[str, str]: ...

    def page_starts(self, doc_id: str) -> list[int]: ...

    def passage_vids(self) -> dict[str, int]: ...

    def next_in_document(self, vid: int) -> int | None: ...

    def vids_of_document(self, doc_id: str) -> list[int]: ...

    def document(self, doc_id: str) -> Document | None: ...

    def documents(self) -> list[dict]: ...

    def all_passages(self) -> Iterator[Passage]: ...

    def count(self, table: str) -> int: ...


@runtime_checkable
class SearchIndex(Protocol):
    """What search/ reads from a loaded snapshot."""
    path: Path
    config: dict
    store: PassageReader
    vectors: DenseSearch
    sentences: SentenceVectors
    lexical: Postings

    @property
    def columns(self) -> Columns: ...

    @property
    def actors(self) -> Directory: ...

    @property
    def model(self) -> str: ...

    def check_model(self, model: str) -> None: ...

    def stats(self) -> dict: ...

    def close(self) -> None: ...


@runtime_checkable
class IndexBackend(SearchIndex, Protocol):
    """A served index: the contract suite (tests/test_index_contract.py) runs against each one."""

    def dense(self, vector: np.ndarray, k: int, where: Where | None = None) -> Scored: ...

    def lexical_search(self, query: str, k: int, where: Where | None = None) -> Scored:
        """BM25 over the analysed French text."""

    def facets(self, vids: list[int], field: str) -> list[tuple[str, int]]:
        """(value, passages among ``vids`` holding it), most frequent first, ties in value order."""


@runtime_checkable
class LiveBackend(IndexBackend, Protocol):
    """A backend changed in place (Milvus). The embedded index is changed by writing a new snapshot
    (index/indexer.py) and switching to it, which is its add/remove/switch."""

    def remove_publication(self, doc_id: str) -> list[int]:
        """Drop a publication's passages from search; their vids."""

    def add_publication(self, vids: list[int]) -> None:
        """(Re-)add the passages ``vids`` of the snapshot's store to search."""
