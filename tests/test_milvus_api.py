"""The service's JSON API over real HTTP with ``CATALYSE_BACKEND=milvus`` (the Milvus binary of the
milvus-lite wheel, `milvus_server`), beside the same app over the embedded backend on the same snapshot:
searches, a filtered search and related passages answer with the same result ids, totals and facet
counts (tolerance: none — both backends compute dense scores exactly at this size and count facets
exactly, tests/test_index_contract.py); an editor removes a publication with the token and adds it
again, and the Milvus-backed searches follow (a new collection exported per snapshot, the pointer
switched)."""
import json

import httpx
import pytest

from conftest import AUTH, DEV_QUERIES, EDITOR_TOKEN, REPO, serving, wait_for_job

from search.evaluation import load_queries

ODD = REPO / "corpus" / "odd-objectifs-et-cibles.md"
ODD_ID = ODD.stem
ODD_QUESTION = "éliminer la pauvreté sous toutes ses formes et partout dans le monde"
K = 5


def service_of(settings, embedder, token=None):
    from api.context import Context
    from api.service import Service, ServiceConfig

    return Service(Context(settings, embedder=embedder),       # the session's model, never a second one
                   ServiceConfig(editor_token=token, cors_origins=[], max_upload_mb=2, search_rate=0, editor_rate=0))


def copy_of(settings, tmp_path_factory, name: str, **env):
    """Settings over a copy of the session's data directory (a service writes its job records and
    question log there; the editor test changes it), the backend read from ``env`` as `catalyse serve` does."""
    import shutil

    from ingest.settings import Settings

    data = tmp_path_factory.mktemp(name) / "data"
    shutil.copytree(settings.data_dir, data)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        return Settings(data_dir=data, corpus_dir=settings.corpus_dir, model=settings.model,
                        model_cache=settings.model_cache)


@pytest.fixture(scope="module")
def embedded_api(context, settings, tmp_path_factory):
    """The embedded backend's app over the session's snapshot (no editor token)."""
    served = copy_of(settings, tmp_path_factory, "served-embedded", CATALYSE_BACKEND="embedded")
    assert served.backend == "embedded"
    with serving(service_of(served, context.embedder)) as base, httpx.Client(base_url=base, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def milvus_api(milvus_server, context, settings, tmp_path_factory):
    """`CATALYSE_BACKEND=milvus CATALYSE_MILVUS_URI=… catalyse serve`'s app over a copy of the session's
    data (the editor test changes it), with an editor token; the Milvus pointer is put back after."""
    from index.milvus import SnapshotPointer, milvus_client

    pointer = SnapshotPointer(milvus_client(milvus_server.uri))
    served_before = pointer.current()
    served = copy_of(settings, tmp_path_factory, "served-milvus", CATALYSE_BACKEND="milvus",
                     CATALYSE_MILVUS_URI=milvus_server.uri)
    assert (served.backend, served.milvus_uri) == ("milvus", milvus_server.uri)
    try:
        with serving(service_of(served, context.embedder, EDITOR_TOKEN), wait=300) as base, \
                httpx.Client(base_url=base, timeout=300) as client:
            yield client
    finally:
        if served_before:       # the session's other Milvus tests read the pointer they set
            pointer.switch(served_before)


def questions() -> list[str]:
    return [q["query"] for q in load_queries(DEV_QUERIES)][::3][:6]


def same_answer(got: dict, want: dict, what) -> None:
    assert [r["id"] for r in got["results"]] == [r["id"] for r in want["results"]], what
    assert got["total"] == want["total"], what
    assert got["facets"] == want["facets"], what


def test_health_names_the_milvus_backend(milvus_api, embedded_api):
    got, want = milvus_api.get("/health").json(), embedded_api.get("/health").json()
    assert got["status"] == "ok" and got["index"]["backend"] == "milvus", got
    assert got["index"]["collection"].startswith("catalyse_"), got
    assert "backend" not in want["index"] and got["index"]["passages"] == want["index"]["passages"] > 300


def test_searches_answer_as_over_the_embedded_backend(milvus_api, embedded_api):
    for q in questions():
        got, want = (api.get("/api/search", params={"q": q, "k": K}) for api in (milvus_api, embedded_api))
        assert got.status_code == want.status_code == 200, q
        assert want.json()["results"], q        # the relevance floor may keep fewer than K
        same_answer(got.json(), want.json(), q)


def test_a_filtered_search_answers_as_over_the_embedded_backend(milvus_api, embedded_api):
    params = [("q", "alliances entre associations et entreprises"), ("entry_point", "temoignage"),
              ("entry_point", "outil"), ("sdg", "8"), ("k", K)]
    got, want = (api.get("/api/search", params=params).json() for api in (milvus_api, embedded_api))
    assert got["results"], got
    for r in got["results"]:
        assert r["entry_point"]["id"] in ("temoignage", "outil") and 8 in [s["id"] for s in r["sdg"]], r["id"]
    assert {f["id"] for f in got["facets"]["entry_point"]} <= {"temoignage", "outil"}
    same_answer(got, want, params)
    unfiltered = milvus_api.get("/api/search", params=params[:1] + params[-1:]).json()
    assert unfiltered["total"] > got["total"]        # the filter did narrow the Milvus answer


def test_related_passages_are_the_same(milvus_api, embedded_api):
    first = embedded_api.get("/api/search", params={"q": questions()[0], "k": 1}).json()["results"][0]
    got, want = (api.get("/api/related", params={"id": first["id"], "k": 4}) for api in (milvus_api, embedded_api))
    assert got.status_code == want.status_code == 200
    ids = [r["id"] for r in got.json()["results"]]
    assert len(ids) == 4 and first["id"] not in ids
    assert ids == [r["id"] for r in want.json()["results"]]
    text = {"text": "Un garage solidaire pour aider les chômeurs à se déplacer", "k": 3}
    got, want = (api.post("/api/related", json=text).json() for api in (milvus_api, embedded_api))
    assert [r["id"] for r in got["results"]] == [r["id"] for r in want["results"]] and len(got["results"]) == 3
    assert milvus_api.get("/api/related", params={"id": "nulle-part"}).status_code == 404


def test_an_editor_removes_a_publication_and_adds_it_again(milvus_api, embedded_api):
    before = milvus_api.get("/api/search", params={"q": ODD_QUESTION, "k": K}).json()
    assert any(r["doc_id"] == ODD_ID for r in before["results"]), before["results"]
    assert ODD_ID in {d["id"] for d in before["facets"]["doc"]}, before["facets"]
    health = milvus_api.get("/health").json()["index"]
    assert milvus_api.delete(f"/api/documents/{ODD_ID}").status_code == 401         # no token, no change

    removed = wait_for_job(milvus_api, milvus_api.delete(f"/api/documents/{ODD_ID}", headers=AUTH).json())
    assert removed["status"] == "terminé", removed
    gone = milvus_api.get("/health").json()["index"]
    assert gone["backend"] == "milvus" and gone["collection"] != health["collection"], gone
    assert gone["documents"] == health["documents"] - 1 and gone["passages"] < health["passages"], gone
    after = milvus_api.get("/api/search", params={"q": ODD_QUESTION, "k": K}).json()
    assert after["results"] and all(r["doc_id"] != ODD_ID for r in after["results"]), after["results"]
    assert ODD_ID not in {d["id"] for d in after["facets"].get("doc_id", [])}
    assert milvus_api.get(f"/api/documents/{ODD_ID}").status_code == 404

    meta = json.loads(ODD.with_suffix(".meta.json").read_text(encoding="utf-8"))
    added = wait_for_job(milvus_api, milvus_api.post(
        "/api/documents", files={"file": (ODD.name, ODD.read_bytes(), "text/markdown")},
        data={"metadata": json.dumps(meta, ensure_ascii=False)}, headers=AUTH).json())
    assert added["status"] == "terminé", added
    back = milvus_api.get("/health").json()["index"]
    assert (back["documents"], back["passages"]) == (health["documents"], health["passages"]), back
    assert back["collection"] not in (health["collection"], gone["collection"]), back
    again = milvus_api.get("/api/search", params={"q": ODD_QUESTION, "k": K}).json()
    same_answer(again, before, ODD_QUESTION)        # passage ids are stable across re-ingestion
    same_answer(again, embedded_api.get("/api/search", params={"q": ODD_QUESTION, "k": K}).json(), ODD_QUESTION)
