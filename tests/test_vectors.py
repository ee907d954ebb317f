"""The vector index, exact and approximate (HNSW + exact re-scoring), on the proceedings' real
vectors and real question embeddings: the approximate path must agree with brute force."""
import json

import numpy as np
import pytest

from index.index import Index
from index.vectors import VectorIndex
from search.evaluation import load_queries

from conftest import DEV_QUERIES


@pytest.fixture(scope="module")
def real(ingested, embedder):
    vectors = np.asarray(ingested.vectors, dtype=np.float32)
    vids = np.arange(len(vectors)) * 7 + 3           # ids are not positions
    queries = embedder.queries([q["query"] for q in load_queries(DEV_QUERIES)])
    return vids, vectors, queries


def brute_force(vids, vectors, query, k, allowed=None):
    keep = np.isin(vids, allowed) if allowed is not None else np.ones(len(vids), bool)
    scores = vectors[keep] @ query
    order = np.argsort(-scores)[:k]
    return vids[keep][order]


def approximate(vids, vectors) -> VectorIndex:
    index = VectorIndex(vectors.shape[1])
    index.add(list(vids), vectors)
    index.maintain(ann_min=1)
    assert index.ann is not None and index.ann.ntotal == len(vids)
    return index


def test_approximate_top10_agrees_with_brute_force_and_scores_are_exact(real):
    vids, vectors, queries = real
    index = approximate(vids, vectors)
    by_vid = dict(zip(vids.tolist(), vectors))
    scores, found = index.search(queries, 10)
    overlap = [len(set(f) & set(brute_force(vids, vectors, q, 10))) / 10 for q, f in zip(queries, found)]
    assert np.mean(overlap) >= 0.97
    for q, row_scores, row in zip(queries, scores, found):
        assert list(row_scores) == sorted(row_scores, reverse=True)
        np.testing.assert_allclose(row_scores, [by_vid[v] @ q for v in row], rtol=1e-5, atol=1e-6)


def test_removed_ids_are_never_returned_and_the_graph_is_rebuilt(real, tmp_path):
    vids, vectors, queries = real
    index = approximate(vids, vectors)
    gone = [int(v) for v in vids[::10]]                 # 10 %: tombstones, no rebuild
    index.remove(gone)
    index.maintain(ann_min=1)
    assert index.tombstones == set(gone) and index.ann.ntotal == len(vids)
    _, found = index.search(queries, 50)
    assert not set(found.ravel().tolist()) & set(gone)
    config = index.save(tmp_path, "vectors.faiss", "ann.faiss")     # tombstones survive a reload
    assert config["ann"]["tombstones"] == len(gone)
    assert VectorIndex.load(tmp_path, config).tombstones == set(gone)
    more = [int(v) for v in vids[1::4]]                 # past 20 %: rebuilt without them
    index.remove(more)
    index.maintain(ann_min=1)
    assert not index.tombstones and index.ann.ntotal == len(index) == len(set(vids.tolist()) - set(gone) - set(more))
    index.maintain(ann_min=10_000)                      # below the size: back to exact only
    assert index.ann is None


def test_selective_filter_is_searched_exactly(real):
    vids, vectors, queries = real
    index = approximate(vids, vectors)
    allowed = [int(v) for v in vids[5::40]]             # 8 passages of 284
    _, found = index.search(queries, 5, allowed)
    for q, row in zip(queries, found):
        assert list(row) == list(brute_force(vids, vectors, q, 5, allowed))


def test_broad_filter_goes_through_the_graph_and_stays_inside_it(real):
    vids, vectors, queries = real
    index = approximate(vids, vectors)
    allowed = [int(v) for v in vids if v % 3]           # two thirds of the passages
    _, found = index.search(queries, 10, allowed)
    assert set(found.ravel().tolist()) <= set(allowed)
    overlap = [len(set(f) & set(brute_force(vids, vectors, q, 10, allowed))) / 10 for q, f in zip(queries, found)]
    assert np.mean(overlap) >= 0.95


def test_snapshot_records_and_reloads_the_approximate_index(settings, embedder, tmp_path):
    from index.indexer import Indexer
    from ingest.pipeline import Ingestor

    from conftest import KIT_TEXT

    kit = tmp_path / "kit.md"
    kit.write_text(KIT_TEXT, encoding="utf-8")
    other = tmp_path / "autre.md"
    other.write_text(KIT_TEXT.replace("tiers-lieu", "jardin partagé"), encoding="utf-8")
    indexer = Indexer(tmp_path / "data", Ingestor(embedder), ann_min=1)
    indexer.add([(kit, {}), (other, {})])
    index = Index.current(indexer.data_dir)
    config = json.loads((index.path / "config.json").read_text())
    assert config["vectors"]["ann"]["file"] == "ann.faiss" and (index.path / "ann.faiss").exists()
    assert index.vectors.ann is not None and index.vectors.ann.ntotal == len(index.vectors)
    assert indexer.remove("autre").passages > 0          # half the graph gone: rebuilt, no tombstones
    index = Index.current(indexer.data_dir)
    assert json.loads((index.path / "config.json").read_text())["vectors"]["ann"]["tombstones"] == 0
    assert index.vectors.ann.ntotal == len(index.vectors) == len(index.store.vids_of_document("kit"))
    query = embedder.queries(["un jardin partagé"])
    _, found = index.vectors.search(query, 10)
    assert set(found[0][found[0] >= 0].tolist()) <= set(index.store.vids_of_document("kit"))


def test_a_searcher_over_the_approximate_index_answers_like_the_exact_one(searcher, settings, embedder, tmp_path):
    """The whole search path (fusion, filters, facets) with vector search past the ANN threshold."""
    import shutil

    from index.indexer import Indexer
    from ingest.pipeline import Ingestor
    from search.answer import answer
    from search.filters import Filters
    from search.searcher import Searcher, SearchSettings

    # the session index's snapshot, then a new snapshot of the same documents past the threshold:
    # written with its HNSW index and loaded again, as an index that grew past it would be
    shutil.copytree(settings.data_dir, tmp_path / "data", ignore=shutil.ignore_patterns("cache", "originals"))
    indexer = Indexer(tmp_path / "data", Ingestor(embedder), ann_min=1)
    indexer.add_ingested([])
    approximate = Searcher(Index.current(indexer.data_dir), embedder)
    assert approximate.index.vectors.ann is not None and searcher.index.vectors.ann is None
    questions = [q["query"] for q in load_queries(DEV_QUERIES)]
    # the ranking path alike: the relevance floor's pool is itself approximate past the threshold
    exact = Searcher(searcher.index, embedder, SearchSettings(relevance=None))
    approximate_ranking = Searcher(approximate.index, embedder, SearchSettings(relevance=None))
    same = []
    for q in questions:
        exact_ids = [h.passage.id for h in exact.search(q, 10).hits]
        approx_ids = [h.passage.id for h in approximate_ranking.search(q, 10).hits]
        same.append(len(set(exact_ids) & set(approx_ids)) / 10)
    assert np.mean(same) >= 0.95
    filters = Filters(entry_point=["temoignage"], page_min=10)
    a, b = answer(searcher, questions[0], filters=filters), answer(approximate, questions[0], filters=filters)
    assert a["facets"]["levers"] == b["facets"]["levers"] and a["total"] == b["total"]
