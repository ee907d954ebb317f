"""What only the Milvus backend does (hybrid_search, delete and re-add, the snapshot pointer), and the
whole service's answers over it: the development questions' nDCG@10 within 0.02 of the embedded
backend's, and every facet count of every answer equal."""
from conftest import DEV_QUERIES

from index.milvus import SnapshotPointer, collection_of, milvus_client, where_expression
from search.answer import answer
from search.evaluation import ask_engine, evaluate, load_queries
from search.searcher import Searcher

QUESTION = "un garage associatif pour aider les chômeurs à se déplacer"


def test_where_becomes_a_milvus_expression():
    assert where_expression({"levers": ["3", "5"], "doc_id": ["actes"], "page_min": 2}) == (
        '(array_contains_any(levers, ["3", "5"])) and (doc_id in ["actes"]) and (page_end >= 2)')
    assert where_expression({}) == "" and where_expression({"sdg": []}) == ""


def test_hybrid_search_fuses_dense_and_bm25(milvus_index, searcher):
    vector = searcher.vector(QUESTION)
    dense, lexical = milvus_index.dense(vector, 10), milvus_index.lexical_search(QUESTION, 10)
    for fused in (milvus_index.hybrid(vector, QUESTION, 10),
                  milvus_index.hybrid(vector, QUESTION, 10, weights=(0.55, 0.45))):
        assert len(fused) == 10
        assert fused[0][0] in {dense[0][0], lexical[0][0]}
        assert {v for v, _ in fused} <= {v for v, _ in dense} | {v for v, _ in lexical}
    where = {"doc_id": [searcher.index.columns.coded["doc_id"].values[0]]}
    assert milvus_index.hybrid(vector, QUESTION, 5, where)


def test_a_publication_is_deleted_and_added_again(milvus_index, index, searcher):
    vector = searcher.vector(QUESTION)
    doc = index.store.passages([milvus_index.dense(vector, 1)[0][0]]).popitem()[1].doc_id
    before = milvus_index.dense(vector, 10)
    removed = milvus_index.remove_publication(doc)
    try:
        assert removed == index.store.vids_of_document(doc)
        assert len(milvus_index.vectors) == len(index.vectors) - len(removed)
        assert not {v for v, _ in milvus_index.dense(vector, 10)} & set(removed)
        assert milvus_index.facets(removed, "doc_id") == []
    finally:
        milvus_index.add_publication(removed)
    assert len(milvus_index.vectors) == len(index.vectors)
    assert milvus_index.dense(vector, 10) == before


def test_the_pointer_switches_between_snapshots(milvus_server, milvus_index):
    client = milvus_client(milvus_server.uri)
    pointer = SnapshotPointer(client)
    assert pointer.current() == milvus_index.collection == collection_of(milvus_index.path.name)
    pointer.switch("catalyse_other")
    assert pointer.current() == "catalyse_other"
    pointer.switch(milvus_index.collection)
    assert pointer.current() == milvus_index.collection


def test_answers_over_milvus_match_the_embedded_backend(milvus_index, searcher):
    over_milvus = Searcher(milvus_index, searcher.embedder)
    queries = load_queries(DEV_QUERIES)
    embedded = evaluate(ask_engine(searcher), queries)["summary"]["overall"]["ndcg"]
    milvus = evaluate(ask_engine(over_milvus), queries)["summary"]["overall"]["ndcg"]
    print(f"dev nDCG@10 embedded {embedded:.3f}, milvus {milvus:.3f}")
    assert abs(milvus - embedded) <= 0.02
    for q in queries:
        got, want = answer(over_milvus, q["query"]), answer(searcher, q["query"])
        assert got["facets"] == want["facets"] and got["refinements"] == want["refinements"], q["id"]
        assert got["total"] == want["total"], q["id"]


def test_the_service_over_milvus_answers_as_the_embedded_one(milvus_server, context, settings):
    """`CATALYSE_BACKEND=milvus catalyse serve`'s app: the same JSON answers (results, total, facets)."""
    import dataclasses

    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.context import Context
    from api.service import Service, ServiceConfig

    def service(ctx):
        return Service(ctx, ServiceConfig(editor_token=None, cors_origins=[], max_upload_mb=2, search_rate=0,
                                          editor_rate=0))

    over_milvus = Context(dataclasses.replace(settings, backend="milvus", milvus_uri=milvus_server.uri),
                          embedder=context.embedder)
    queries = [q["query"] for q in load_queries(DEV_QUERIES)][:8]
    answers = {}
    for name, ctx in (("embedded", context), ("milvus", over_milvus)):
        with TestClient(create_app(svc := service(ctx))) as client:
            assert svc.ready.wait(300), name
            health = client.get("/health").json()
            assert health["index"]["passages"] > 200, health
            answers[name] = [client.get("/api/search", params={"q": q, "k": 5}).json() for q in queries]
    assert health["index"].get("backend") == "milvus", health
    for got, want in zip(answers["milvus"], answers["embedded"]):
        assert [r["id"] for r in got["results"]] == [r["id"] for r in want["results"]], want["query"]
        assert got["total"] == want["total"] and got["facets"] == want["facets"], want["query"]
