"""The Milvus backend (``CATALYSE_BACKEND=milvus``, optional extra ``catalyse[milvus]``): one collection
per snapshot holding each passage's vector, its text analysed for French with a BM25 function, its
filterable fields and its stored form; dense, lexical and hybrid search, passages and facet counts
are answered by Milvus. The relevance floor and spelling (which read every passage's BM25 and the
vocabulary), sentence re-scoring (sentence vectors) and the filter masks stay on the client, read
from the snapshot folder the collection was exported from (docs/scaling.md says what that costs).

Milvus has no aggregation call: facet counts over a result set are one ``query`` of the set's vids
returning the field, counted on the client — one round trip per facet page, linear in the result
set (a median of 50 passages per question here), not in the corpus."""
from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.document import Passage

from .columns import LABEL_FACETS
from .contract import Scored, Where
from .index import Index

# The French analysis of the text field: Milvus's own tokenizer and filters (Tantivy's), the nearest
# to index/analysis.py's (lower case, accents folded, French stop words, Snowball French stems).
FRENCH_ANALYZER = {"tokenizer": "standard",
                   "filter": ["lowercase", "asciifolding", {"type": "stop", "stop_words": ["_french_"]},
                              {"type": "stemmer", "language": "french"}]}
PREFIX = "catalyse_"
POINTER = PREFIX + "current"        # where aliases are missing (milvus-lite), the served collection's name
LABELS_MAX = 64                     # labels per facet a passage can carry (the tagger keeps a handful)
TEXT_MAX = 65535                    # VARCHAR's bound in bytes; the corpus's largest stored passage is 3,444 chars
INSERT_BATCH = 256                  # rows per insert: 349 passages export in about a second here
QUERY_BATCH = 1000                  # vids per ``vid in [...]`` query


@dataclass
class MilvusSettings:
    uri: str = field(default_factory=lambda: os.environ.get("CATALYSE_MILVUS_URI", "http://127.0.0.1:19530"))
    # AUTOINDEX works everywhere; milvus-lite refuses HNSW, which a real cluster takes (CATALYSE_MILVUS_INDEX=HNSW)
    index_type: str = field(default_factory=lambda: os.environ.get("CATALYSE_MILVUS_INDEX", "AUTOINDEX"))


def collection_of(snapshot: str) -> str:
    """A snapshot folder's collection (Milvus names take letters, digits and underscores)."""
    return PREFIX + re.sub(r"\W", "_", snapshot)


def milvus_client(uri: str):
    from pymilvus import MilvusClient

    return MilvusClient(uri)


def where_expression(where: Where | None) -> str:
    """A ``where`` (index/contract.py) as a Milvus boolean expression ("" when nothing is filtered)."""
    parts = []
    for column, values in (where or {}).items():
        if column == "page_min" and values is not None:
            parts.append(f"page_end >= {int(values)}")
        elif column == "page_max" and values is not None:
            parts.append(f"page_start <= {int(values)}")
        elif values and column in LABEL_FACETS:
            parts.append(f"array_contains_any({column}, {json.dumps([str(v) for v in values])})")
        elif values:
            parts.append(f"{column} in {json.dumps([str(v) for v in values])}")
    return " and ".join(f"({p})" for p in parts)


def _vid_expression(vids) -> str:
    return f"vid in [{','.join(str(int(v)) for v in vids)}]"


def _and(*expressions: str) -> str:
    return " and ".join(f"({e})" for e in expressions if e)


def create_collection(client, name: str, dim: int, index_type: str = "AUTOINDEX") -> None:
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False)
    schema.add_field("vid", DataType.INT64, is_primary=True)
    for column in ("doc_id", "entry_point", "language"):
        schema.add_field(column, DataType.VARCHAR, max_length=512)
    schema.add_field("page_start", DataType.INT64)
    schema.add_field("page_end", DataType.INT64)
    for facet in LABEL_FACETS:
        schema.add_field(facet, DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=LABELS_MAX, max_length=64)
    schema.add_field("text", DataType.VARCHAR, max_length=TEXT_MAX, enable_analyzer=True,
                     analyzer_params=FRENCH_ANALYZER)
    schema.add_field("data", DataType.VARCHAR, max_length=TEXT_MAX)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                 output_field_names=["sparse"]))
    params = client.prepare_index_params()
    params.add_index("vector", index_type=index_type, metric_type="IP")
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    client.create_collection(name, schema=schema, index_params=params)


def passage_rows(index: Index, vids: list[int]) -> list[dict]:
    """Milvus rows of the passages ``vids`` of an embedded snapshot (its store, labels and vectors)."""
    passages = index.store.passages(vids)
    vectors = index.vectors.index.reconstruct_batch(np.asarray(vids, np.int64))
    rows = []
    for vid, vector in zip(vids, vectors):
        p = passages[vid]
        rows.append({"vid": vid, "doc_id": p.doc_id, "language": p.language or "",
                     "entry_point": p.tags.entry_point.id if p.tags.entry_point else "",
                     "page_start": p.page_start, "page_end": p.page_end,
                     **{facet: [str(label.id) for label in getattr(p.tags, facet)] for facet in LABEL_FACETS},
                     "text": p.text, "data": json.dumps(p.to_dict(), ensure_ascii=False),
                     "vector": vector.tolist()})
    return rows


def export_snapshot(index: Index, client, settings: MilvusSettings | None = None) -> str:
    """The snapshot's collection, created and filled from the embedded snapshot when missing."""
    name = collection_of(index.path.name)
    if client.has_collection(name):
        client.load_collection(name)
        held = client.query(name, filter="", output_fields=["count(*)"])[0]["count(*)"]
        if held == len(index.columns):
            return name
        client.drop_collection(name)        # an export cut short: made again whole
    create_collection(client, name, index.vectors.dim, (settings or MilvusSettings()).index_type)
    vids = [int(v) for v in index.columns.vids]
    for at in range(0, len(vids), INSERT_BATCH):
        client.insert(name, passage_rows(index, vids[at:at + INSERT_BATCH]))
    client.flush(name)
    client.load_collection(name)
    return name


class SnapshotPointer:
    """Which collection is served: a collection alias on a real cluster (switched atomically by
    ``alter_alias``); where aliases are not implemented (milvus-lite answers UNIMPLEMENTED), one row of
    a small collection kept by Catalyse, replaced by an upsert (atomic for a reader: it sees the old
    name or the new)."""

    def __init__(self, client):
        self.client = client

    def _pointer(self) -> None:
        from pymilvus import DataType

        if not self.client.has_collection(POINTER):
            schema = self.client.create_schema(auto_id=False)
            schema.add_field("id", DataType.INT64, is_primary=True)
            schema.add_field("name", DataType.VARCHAR, max_length=256)
            schema.add_field("unused", DataType.FLOAT_VECTOR, dim=2)     # a collection needs a vector field
            params = self.client.prepare_index_params()
            params.add_index("unused", index_type="AUTOINDEX", metric_type="L2")
            self.client.create_collection(POINTER, schema=schema, index_params=params)

    def switch(self, name: str) -> None:
        try:
            if POINTER in self.client.list_aliases(name).get("aliases", []):
                return
            try:
                self.client.alter_alias(name, POINTER)
            except Exception:
                self.client.create_alias(name, POINTER)
            return
        except Exception as error:
            if "UNIMPLEMENTED" not in str(error):
                raise
        self._pointer()
        self.client.upsert(POINTER, [{"id": 0, "name": name, "unused": [0.0, 0.0]}])
        self.client.flush(POINTER)

    def current(self) -> str | None:
        if not self.client.has_collection(POINTER):
            return None
        self.client.load_collection(POINTER)
        rows = self.client.query(POINTER, filter="id == 0", output_fields=["name"])
        return rows[0]["name"] if rows else None


class MilvusVectors:
    """``DenseSearch`` (index/contract.py) over a collection's vector field."""

    def __init__(self, client, collection: str, dim: int):
        self.client, self.collection, self.dim = client, collection, dim

    def __len__(self) -> int:
        return int(self.client.query(self.collection, filter="", output_fields=["count(*)"])[0]["count(*)"])

    def search(self, queries: np.ndarray, k: int, allowed: list[int] | None = None, expression: str = ""
               ) -> tuple[np.ndarray, np.ndarray]:
        if allowed is not None and not len(allowed):
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        expression = _and(expression, _vid_expression(allowed) if allowed is not None else "")
        found = self.client.search(self.collection, np.asarray(queries, np.float32).tolist(), anns_field="vector",
                                   limit=k, filter=expression, search_params={"metric_type": "IP"})
        width = max((len(hits) for hits in found), default=0)
        scores, vids = np.zeros((len(found), width), np.float32), np.full((len(found), width), -1, np.int64)
        for i, hits in enumerate(found):
            for j, hit in enumerate(hits):
                scores[i, j], vids[i, j] = hit["distance"], hit["id"]
        return scores, vids

    def fetch(self, vids) -> np.ndarray:
        vids = [int(v) for v in vids]
        got: dict[int, list[float]] = {}
        for at in range(0, len(vids), QUERY_BATCH):
            rows = self.client.query(self.collection, filter=_vid_expression(vids[at:at + QUERY_BATCH]),
                                     output_fields=["vector"])
            got.update({int(r["vid"]): r["vector"] for r in rows})
        return np.asarray([got[v] for v in vids], np.float32).reshape(len(vids), self.dim)

    def similarities(self, vids, query: np.ndarray) -> np.ndarray:
        if not len(vids):
            return np.zeros(0, np.float32)
        return self.fetch(vids) @ np.asarray(query, np.float32)

    def vector(self, vid: int) -> np.ndarray:
        return self.fetch([vid])[0]


class MilvusPassages:
    """``PassageReader``: passages from the collection; publications' records from the snapshot's store."""

    def __init__(self, store, client, collection: str):
        self._store, self.client, self.collection = store, client, collection

    def __getattr__(self, name):
        return getattr(self._store, name)

    def passages(self, vids: list[int]) -> dict[int, Passage]:
        out = {}
        for at in range(0, len(vids), QUERY_BATCH):
            rows = self.client.query(self.collection, filter=_vid_expression(vids[at:at + QUERY_BATCH]),
                                     output_fields=["data"])
            out.update({int(r["vid"]): Passage.from_dict(json.loads(r["data"])) for r in rows})
        return {v: out[v] for v in vids if v in out}


class MilvusIndex:
    """An ``IndexBackend`` (index/contract.py) served by Milvus, over the snapshot folder ``local``
    it was exported from (columns, postings, sentence vectors and the directory of actors)."""

    def __init__(self, local: Index, client, collection: str):
        self.local, self.client, self.collection = local, client, collection
        self.path, self.config = local.path, local.config
        self.vectors = MilvusVectors(client, collection, local.vectors.dim)
        self.store = MilvusPassages(local.store, client, collection)
        self.sentences, self.lexical = local.sentences, local.lexical

    @classmethod
    def serve(cls, local: Index, settings: MilvusSettings | None = None, client=None) -> "MilvusIndex":
        """The snapshot's collection (exported when missing), made the served one."""
        settings = settings or MilvusSettings()
        client = client or milvus_client(settings.uri)
        name = export_snapshot(local, client, settings)
        client.load_collection(name)
        SnapshotPointer(client).switch(name)
        return cls(local, client, name)

    @property
    def columns(self):
        return self.local.columns

    @property
    def actors(self):
        return self.local.actors

    @property
    def model(self) -> str:
        return self.local.model

    def check_model(self, model: str) -> None:
        self.local.check_model(model)

    def stats(self) -> dict:
        return self.local.stats() | {"backend": "milvus", "collection": self.collection, "vectors": len(self.vectors),
                                     "approximate": True}

    def close(self) -> None:
        self.local.close()

    # -- searching ------------------------------------------------------------------------
    def dense(self, vector: np.ndarray, k: int, where: Where | None = None) -> Scored:
        scores, vids = self.vectors.search(vector[None, :], k, expression=where_expression(where))
        return [(int(v), float(x)) for x, v in zip(scores[0], vids[0]) if v >= 0]

    def lexical_search(self, query: str, k: int, where: Where | None = None) -> Scored:
        found = self.client.search(self.collection, [query], anns_field="sparse", limit=k,
                                   filter=where_expression(where), search_params={"metric_type": "BM25"})
        return [(int(h["id"]), float(h["distance"])) for h in found[0]]

    def hybrid(self, vector: np.ndarray, query: str, k: int, where: Where | None = None,
               weights: tuple[float, float] | None = None, rrf_k: int = 30) -> Scored:
        """Dense and BM25 fused by Milvus's ``hybrid_search``: reciprocal ranks, or weighted scores."""
        from pymilvus import AnnSearchRequest, RRFRanker, WeightedRanker

        expression = where_expression(where)
        requests = [AnnSearchRequest([vector.tolist()], "vector", {"metric_type": "IP"}, k, expr=expression),
                    AnnSearchRequest([query], "sparse", {"metric_type": "BM25"}, k, expr=expression)]
        ranker = WeightedRanker(*weights) if weights else RRFRanker(rrf_k)
        found = self.client.hybrid_search(self.collection, requests, ranker, limit=k)
        return [(int(h["id"]), float(h["distance"])) for h in found[0]]

    def facets(self, vids: list[int], field: str) -> list[tuple[str, int]]:
        counts: Counter = Counter()
        vids = [int(v) for v in vids]
        for at in range(0, len(vids), QUERY_BATCH):
            for row in self._query_rows(_vid_expression(vids[at:at + QUERY_BATCH]), field):
                values = row[field] if field in LABEL_FACETS else [row[field]]
                counts.update(v for v in values if v != "")
        order = self.columns.labels[field].values if field in LABEL_FACETS else self.columns.coded[field].values
        rank = {v: i for i, v in enumerate(order)}
        return sorted(counts.items(), key=lambda kv: (-kv[1], rank.get(kv[0], len(rank))))

    def _query_rows(self, expression: str, field: str) -> list[dict]:
        from pymilvus.exceptions import MilvusException

        try:
            return self.client.query(self.collection, filter=expression, output_fields=[field])
        except MilvusException as error:
            # pymilvus 2.5.18 cannot decode a field of zero rows once rows were deleted (« Unsupported
            # data type: 0 »): no row matched
            if "Unsupported data type: 0" in str(error):
                return []
            raise

    # -- writing --------------------------------------------------------------------------
    def remove_publication(self, doc_id: str) -> list[int]:
        rows = self.client.query(self.collection, filter=f"doc_id == {json.dumps(doc_id)}", output_fields=["vid"])
        vids = sorted(int(r["vid"]) for r in rows)
        if vids:
            self.client.delete(self.collection, filter=_vid_expression(vids))
        return vids

    def add_publication(self, vids: list[int]) -> None:
        for at in range(0, len(vids), INSERT_BATCH):
            self.client.upsert(self.collection, passage_rows(self.local, vids[at:at + INSERT_BATCH]))
        self.client.flush(self.collection)
