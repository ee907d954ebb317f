"""One contract suite (index/contract.py), run against every backend: the embedded index and Milvus
(its own binary from the milvus-lite wheel, over the network). The expected answers are the embedded
index's, on the development questions; each tolerance is stated where it is used."""
import json

import numpy as np
import pytest

from conftest import DEV_QUERIES

from index.contract import IndexBackend
from ingest.glossary import FACETS

QUESTIONS = [json.loads(line)["query"] for line in DEV_QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
K = 10


@pytest.fixture(params=["embedded", "milvus"])
def backend(request, index):
    return index if request.param == "embedded" else request.getfixturevalue("milvus_index")


@pytest.fixture(scope="module")
def vectors(searcher):
    return {q: searcher.vector(q) for q in QUESTIONS}


def common_where(index) -> dict:
    """A real filter: the most frequent lever and the most frequent entry point of the corpus."""
    everything = np.ones(len(index.columns), bool)
    tally = index.columns.tally(everything)
    return {"levers": [tally.counts("levers", 1)[0][0]], "entry_point": [tally.counts("entry_point", 1)[0][0]]}


def overlap(a, b) -> float:
    return len({v for v, _ in a} & {v for v, _ in b}) / max(1, len(b))


def test_each_backend_implements_the_contract(backend):
    assert isinstance(backend, IndexBackend)


def test_stats_count_the_same_passages(backend, index):
    assert backend.stats()["passages"] == index.stats()["passages"]
    assert len(backend.vectors) == len(index.vectors) == index.stats()["passages"]


def test_dense_search_gives_the_same_passages_and_scores(backend, index, vectors):
    """Exact inner products on both at 349 passages: the same top 10, scores equal to 1e-4
    (float32 sums in another order); at most one swap at the 10th rank for a tie."""
    for q, v in vectors.items():
        got, want = backend.dense(v, K), index.dense(v, K)
        assert overlap(got, want) >= 0.9, q
        assert got[0][0] == want[0][0], q
        theirs = dict(want)
        assert all(abs(s - theirs[vid]) < 1e-4 for vid, s in got if vid in theirs), q


def test_dense_search_under_filters_keeps_only_passing_passages(backend, index, vectors):
    where = common_where(index)
    passing = set(index.columns.vids[index.columns.mask(where)].tolist())
    assert 0 < len(passing) < len(index.columns)
    for q, v in vectors.items():
        got, want = backend.dense(v, K, where), index.dense(v, K, where)
        assert {vid for vid, _ in got} <= passing, q
        assert overlap(got, want) >= 0.9, q
    pages = {"page_min": 10, "page_max": 12}
    got = backend.dense(vectors[QUESTIONS[0]], 50, pages)
    assert got and {vid for vid, _ in got} == {vid for vid, _ in index.dense(vectors[QUESTIONS[0]], 50, pages)}


def test_lexical_search_under_filters(backend, index):
    """BM25 over French analysis on both, but not the same analysis (Milvus: Tantivy's standard
    tokenizer and Snowball French; embedded: index/analysis.py with spaCy-free rules, headers and
    surface words): measured mean overlap of the top 10 is stated in docs/scaling.md; required ≥ 0.5,
    and every hit passes the filter."""
    where = common_where(index)
    passing = set(index.columns.vids[index.columns.mask(where)].tolist())
    overlaps = []
    for q in QUESTIONS:
        got, want = backend.lexical_search(q, K), index.lexical_search(q, K)
        overlaps.append(overlap(got, want))
        assert {vid for vid, _ in backend.lexical_search(q, K, where)} <= passing, q
    assert np.mean(overlaps) >= 0.5, np.mean(overlaps)


def test_facet_counts_over_a_result_set_are_equal(backend, searcher):
    """Exactly equal: counting is not approximate on any backend."""
    for q in QUESTIONS:
        selected = searcher.search(q).selected
        vids = searcher.index.columns.vids[selected].tolist()
        for facet in FACETS:
            assert backend.facets(vids, facet.column) == searcher.index.facets(vids, facet.column), (q, facet.key)


def test_passages_read_back_the_same(backend, index):
    vids = index.columns.vids[::7].tolist()
    got, want = backend.store.passages(vids), index.store.passages(vids)
    assert list(got) == list(want)
    assert all(got[v].to_dict() == want[v].to_dict() for v in vids)


def test_milvus_is_changed_in_place(request):
    from index.contract import LiveBackend

    assert isinstance(request.getfixturevalue("milvus_index"), LiveBackend)
