"""The JSON API over real HTTP, against the real app and the real index."""
import json
import re

import httpx
import pytest

from conftest import AUTH, EDITOR_TOKEN, PROCEEDINGS, REPO, wait_for_job
from pdfgen import make_pdf


def corpus_ids() -> set[str]:
    from index.indexer import publications

    return {p.stem for p in publications(REPO / "corpus")}


def error_code(response) -> str:
    return response.json()["error"]["code"]


@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=server["url"], timeout=120) as client:
        yield client


def test_health_reports_the_index(api):
    body = api.get("/health").json()
    assert body["status"] == "ok" and body["index"]["passages"] > 200


def test_search_payload(api):
    r = api.get("/api/search", params={"q": "tiers-lieu autogéré par des jeunes à Orléans", "k": 5})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"query", "took_ms", "total", "results", "facets", "groups", "overview"}
    assert len(body["results"]) == 5 and body["total"] >= 5
    first = body["results"][0]
    for key in ("id", "doc_id", "doc_title", "text", "snippet_html", "page_start", "page_end", "section", "speaker",
                "organisation", "entry_point", "levers", "sdg", "trades", "score", "url"):
        assert key in first
    assert first["url"].startswith("/corpus/actes-6e-rencontre-2020.pdf#page=")
    assert "<mark>" in " ".join(r["snippet_html"] for r in body["results"])
    assert "autogestion" in " ".join(" ".join(r["text"].split()) for r in body["results"])


def test_search_filters_are_repeatable(api):
    body = api.get("/api/search", params=[("q", "alliances"), ("entry_point", "temoignage"),
                                          ("entry_point", "outil"), ("sdg", "8")]).json()
    assert body["results"]
    for r in body["results"]:
        assert r["entry_point"]["id"] in ("temoignage", "outil") and 8 in [l["id"] for l in r["sdg"]]
    assert {x["id"] for x in body["facets"]["entry_point"]} <= {"temoignage", "outil"}


def test_snippets_escape_the_text(api):
    body = api.get("/api/search", params={"q": "<script>alert(1)</script> alliances"}).json()
    assert body["query"].startswith("<script>") and body["results"]
    assert all("<script" not in r["snippet_html"] for r in body["results"])


def test_related_by_id_and_by_text(api):
    first = api.get("/api/search", params={"q": "garage solidaire mobilité", "k": 1}).json()["results"][0]
    r = api.get("/api/related", params={"id": first["id"], "k": 4}).json()
    assert len(r["results"]) == 4 and first["id"] not in [x["id"] for x in r["results"]]
    t = api.post("/api/related", json={"text": "Un garage solidaire pour aider les chômeurs à se déplacer", "k": 3})
    assert t.status_code == 200 and len(t.json()["results"]) == 3
    unknown = api.get("/api/related", params={"id": "nulle-part"})
    assert unknown.status_code == 404 and error_code(unknown) == "unknown_source"


def test_tag_suggests_labels_with_evidence(api):
    r = api.post("/api/tag", json={"text": "Nous animons un tiers-lieu avec un fablab et un espace de coworking "
                                           "pour accompagner les porteurs de projets du quartier."}).json()
    assert r["entry_point"]["id"] in ("temoignage", "outil", "methode", "eclairage")
    assert "lieu" in [l["id"] for l in r["trades"]]            # so the list below is not empty
    assert all(l["evidence"] for l in r["trades"])


def test_documents_and_corpus_file(api):
    # every publication of the corpus folder (editors' tests may add others for a while)
    docs = {d["id"]: d for d in api.get("/api/documents").json()["documents"]}
    assert corpus_ids() <= set(docs)
    for doc_id in corpus_ids():
        assert api.get(f"/api/documents/{doc_id}").json() == docs[doc_id]
    one = docs["actes-6e-rencontre-2020"]
    assert one["pages"] == 63 and one["metadata"]["date"] == "2020-07-08" and one["passages"] > 200
    pdf = api.get("/corpus/actes-6e-rencontre-2020.pdf")
    assert pdf.status_code == 200 and pdf.content == PROCEEDINGS.read_bytes()
    escape = api.get("/corpus/..%2Fstore.sqlite")        # no route takes a path: the store is not served
    assert escape.status_code == 404 and error_code(escape) == "http_error"
    missing = api.get("/corpus/absent.pdf")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    absent = api.get("/api/documents/absent")
    assert absent.status_code == 404 and error_code(absent) == "unknown_document"


def test_openapi_documents_the_api(api):
    schema = api.get("/openapi.json").json()
    for path in ("/api/search", "/api/related", "/api/tag", "/api/documents", "/api/documents/{doc_id}",
                 "/api/reindex", "/health"):
        assert path in schema["paths"]
    assert schema["info"]["version"] == "0.3.0"      # 0.3.0: publication « kind » → « genre » (docs/glossary.md)
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    docs = api.get("/docs")        # rendered here (no CDN): see test_browser for how it reads
    assert docs.status_code == 200 and "/openapi.json" in docs.text
    assert all(f"<code>{path}</code>" in docs.text for path in schema["paths"])


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer faux"}, {"Authorization": EDITOR_TOKEN},
                                     {"Authorization": f"Basic {EDITOR_TOKEN}"}, {"Authorization": "Bearer"},
                                     {"Authorization": f"Bearer {EDITOR_TOKEN}x"}])
def test_wrong_or_missing_token_gets_401_and_changes_nothing(api, headers, tmp_path):
    before = api.get("/health").json()["index"]
    pdf = make_pdf(tmp_path / "intrus.pdf", [["Un document qui ne doit pas entrer dans l'index."]])
    refused = [api.post("/api/documents", files={"file": pdf.open("rb")}, headers=headers),
               api.delete("/api/documents/actes-6e-rencontre-2020", headers=headers),
               api.post("/api/reindex", headers=headers), api.get("/api/jobs", headers=headers)]
    for r in refused:
        assert r.status_code == 401 and error_code(r) == "bad_token" and r.headers["www-authenticate"] == "Bearer"
    assert api.get("/health").json()["index"] == before


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_bearer_scheme_is_case_insensitive(api, scheme):
    """RFC 6750 over RFC 7235: the scheme's case does not matter; one or more spaces follow it."""
    for header in (f"{scheme} {EDITOR_TOKEN}", f"{scheme}  {EDITOR_TOKEN}"):
        r = api.get("/api/jobs", headers={"Authorization": header})
        assert r.status_code == 200 and isinstance(r.json()["jobs"], list)


def test_editor_adds_and_removes_a_publication(api, tmp_path):
    pdf = make_pdf(tmp_path / "Guide compost (v2).pdf",
                   [["Guide du lombricompostage partagé en pied d'immeuble.",
                     "Les habitants de Villeurbanne installent des lombricomposteurs collectifs",
                     "avec le bailleur social, une association de quartier et la métropole."],
                    ["Chaque trimestre, un café réparation réunit les voisins autour du compost."]], "Guide compost")
    meta = {"title": "Guide du lombricompostage partagé", "genre": "kit", "tags": {"entry_point": "outil"}}
    r = api.post("/api/documents", files={"file": ("Guide compost (v2).pdf", pdf.read_bytes(), "application/pdf")},
                 data={"metadata": json.dumps(meta)}, headers=AUTH)
    assert r.status_code == 202, r.text
    done = wait_for_job(api, r.json())
    assert done["status"] == "terminé", done
    hits = api.get("/api/search", params={"q": "lombricompostage", "k": 3}).json()["results"]
    assert hits[0]["doc_id"] == "guide-compost-v2" and hits[0]["entry_point"]["id"] == "outil"
    assert hits[0]["url"] == "/corpus/guide-compost-v2.pdf#page=1"
    assert api.get(hits[0]["url"].split("#")[0]).content == pdf.read_bytes()
    assert api.get("/api/documents/guide-compost-v2").json()["metadata"]["genre"] == "kit"
    # the same metadata under the name older versions gave the genre (« kind », before API 0.3.0): unchanged
    legacy = {("kind" if k == "genre" else k): v for k, v in meta.items()}
    again = wait_for_job(api, api.post("/api/documents", files={"file": ("Guide compost (v2).pdf", pdf.read_bytes())},
                                       data={"metadata": json.dumps(legacy)}, headers=AUTH).json())
    assert "inchangé" in again["message"]
    removed = wait_for_job(api, api.delete("/api/documents/guide-compost-v2", headers=AUTH).json())
    assert removed["status"] == "terminé"
    after = api.get("/api/search", params={"q": "lombricompostage"}).json()
    assert all(h["doc_id"] != "guide-compost-v2" for h in after["results"])
    assert after["results"] or after["message"]         # nothing relevant is said, not left blank


@pytest.mark.parametrize("name, content, status, code", [
    ("vide.pdf", b"", 422, "empty_file"),
    ("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, 415, "unsupported_type"),
    ("gros.txt", b"a " * (1024 * 1024 + 10), 413, "too_large"),
])
def test_bad_uploads_are_refused_clearly(api, name, content, status, code):
    r = api.post("/api/documents", files={"file": (name, content)}, headers=AUTH)
    assert r.status_code == status and error_code(r) == code and r.json()["error"]["message"]


@pytest.mark.parametrize("name, content, code", [
    ("casse.pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF", ("broken_pdf", "no_text")),
    ("tronque.pdf", PROCEEDINGS.read_bytes()[:20_000], ("broken_pdf", "no_text")),
    ("latin1.txt", "Un texte accentué : é à ç".encode("latin-1"), ("unsupported_type",)),
])
def test_bad_documents_are_refused_at_once_and_change_nothing(api, name, content, code):
    before = api.get("/health").json()["index"]
    r = api.post("/api/documents", files={"file": (name, content)}, headers=AUTH)
    assert r.status_code in (415, 422) and r.json()["error"]["code"] in code, r.text
    assert r.json()["error"]["message"]
    assert api.get("/health").json()["index"] == before


def test_same_content_under_another_name_is_a_conflict(api):
    r = api.post("/api/documents", files={"file": ("copie-des-actes.pdf", PROCEEDINGS.read_bytes())}, headers=AUTH)
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_document"


def test_rate_limits_per_client():
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.service import Service, ServiceConfig

    service = Service(config=ServiceConfig(editor_token="x", search_rate=1, editor_rate=1))
    with TestClient(create_app(service, start=False)) as client:
        codes = [client.get("/api/search", params={"q": "x"}).status_code for _ in range(15)]
        assert codes[:10] == [503] * 10 and 429 in codes[10:]
        limited = client.get("/api/search", params={"q": "x"})
        assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
        assert int(limited.headers["retry-after"]) >= 1
        editor = [client.post("/api/reindex", headers={"Authorization": "Bearer x"}).status_code for _ in range(12)]
        assert 429 in editor


def test_cors_allows_configured_origins_only(api, widget_origin):
    ok = api.options("/api/related", headers={"Origin": widget_origin["url"], "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "content-type"})
    assert ok.status_code == 200 and ok.headers.get("access-control-allow-origin") == widget_origin["url"]
    other = api.get("/api/search", params={"q": "x"}, headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_the_page_shows_what_the_api_answers(api):
    """One function behind both, with the same parameters: the page range and k included."""
    params = [("q", "alliances entre associations et entreprises"), ("entry_point", "temoignage"),
              ("page_min", "20"), ("page_max", "40"), ("k", "5")]
    body = api.get("/api/search", params=params).json()
    assert body["results"] and all(20 <= r["page_end"] and r["page_start"] <= 40 for r in body["results"])
    page = api.get("/", params=params).text
    assert re.findall(r'<article class="result" id="r\d+" data-id="([^"]+)"', page) == [r["id"] for r in body["results"]]
    assert f"{body['total']} passages pertinents pour" in page
    # the page keeps the range when a facet or a chip changes the filters
    assert 'name="page_min" value="20"' in page and "page_max=40" in page


def test_pages_have_a_content_security_policy(api):
    page = api.get("/", params={"q": "alliances"})
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    assert "<mark>" in page.text
    hostile = api.get("/", params={"q": '"><img src=x onerror=alert(1)>'}).text
    assert "<img src=x" not in hostile


@pytest.mark.parametrize("name, value", [("page_min", 44688832578549536784384), ("sdg", 18), ("k", 0), ("k", 51),
                                         ("q", "a" * 10_001)])
def test_out_of_range_parameters_are_a_clear_422(api, name, value):
    """The API says which parameter is wrong; the page, which reads the same parameters through the
    same dependency, says it in a page."""
    params = {"q": "x", name: value}
    r = api.get("/api/search", params=params)
    assert r.status_code == 422 and [e["loc"][1] for e in r.json()["detail"]] == [name]
    page = api.get("/", params=params)
    assert page.status_code == 422 and "Paramètre invalide" in page.text and f"<code>{name}</code>" in page.text


@pytest.mark.parametrize("q", ["", "   ", "\x00\x07\x1b", "🌍🤝" * 20, "a" * 9000, "الشراكة من أجل التنمية"])
def test_odd_queries_never_fail(api, q):
    from search.answer import MAX_QUERY_CHARS

    r = api.get("/api/search", params={"q": q})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["query"]) <= MAX_QUERY_CHARS and isinstance(body["results"], list)
    assert bool(body["notices"]) == (len(q) > MAX_QUERY_CHARS)      # a longer question is cut, and says so
    if not q.strip(" \x00\x07\x1b"):
        assert body["total"] == 0 and body["results"] == [] and body["overview"] is None


@pytest.mark.parametrize("given, expected", [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\x\\Évaluation finale (2).pdf", "evaluation-finale-2"),
    ("..", None), ("rapport.tar.gz", "rapport.tar"), ("   .pdf", None),
])
def test_upload_file_names_are_sanitised(given, expected):
    from api.params import safe_name

    name = safe_name(given)
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    if expected:
        assert name == expected
    else:
        assert name.startswith("publication-")


def test_an_index_of_an_earlier_format_is_rebuilt_at_start(settings, embedder, tmp_path):
    """After an upgrade that changes the snapshot format, the service rebuilds the index from the
    stored originals instead of refusing to start."""
    from api.context import Context
    from api.service import Service, ServiceConfig
    from conftest import KIT_TEXT
    from index.index import FORMAT
    from ingest.settings import Settings

    kit = tmp_path / "kit-tiers-lieux.md"
    kit.write_text(KIT_TEXT, encoding="utf-8")
    (tmp_path / "corpus").mkdir()
    served = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "corpus", model=settings.model,
                      model_cache=settings.model_cache)
    service = Service(Context(served, embedder=embedder), ServiceConfig(editor_token="x"))
    old = service.context.indexer.add([(kit, None)]) and service.snapshots.current()
    config = json.loads((old / "config.json").read_text())
    (old / "config.json").write_text(json.dumps({**config, "format": FORMAT - 1}))
    service.start(background=False)
    assert service.ready.is_set(), service.status
    searcher = service.searcher()
    assert searcher.index.path != old and searcher.index.config["format"] == FORMAT
    hits = searcher.search("un tiers-lieu géré par des jeunes", k=3).hits
    assert hits and hits[0].passage.doc_id == "kit-tiers-lieux"


def test_every_error_type_has_one_status():
    from api import errors
    from index.indexer import DuplicateDocument, UnknownDocument
    from ingest.errors import CatalyseError, UnreadableDocument
    from search.related import UnknownSource

    web_errors = [t for t in vars(errors).values() if isinstance(t, type) and issubclass(t, errors.WebError)
                  and t is not errors.WebError]
    assert len(web_errors) >= 10 and not [t for t in web_errors if t not in errors.STATUS]
    assert len({t.code for t in errors.STATUS}) == len(errors.STATUS)          # one code per type
    assert [errors.status_of(e) for e in (UnknownDocument("x"), UnknownSource("x"), DuplicateDocument("x"),
                                          UnreadableDocument("x"), CatalyseError("x"))] == [404, 404, 409, 422, 422]

    class Narrower(UnknownDocument):
        pass
    assert errors.status_of(Narrower("x")) == 404


def test_more_results_on_the_page_are_the_apis_next_ones(api):
    """Page 2 of the page shows the first 2 × k results, the same as the API with 2 × k."""
    body = api.get("/api/search", params={"q": "alliances", "k": 20}).json()
    page = api.get("/", params={"q": "alliances", "page": 2}).text
    assert re.findall(r'<article class="result" id="r\d+" data-id="([^"]+)"', page) == [r["id"] for r in body["results"]]
    refused = api.get("/", params={"q": "alliances", "page": 0})
    assert refused.status_code == 422 and "Paramètre invalide" in refused.text and "<code>page</code>" in refused.text


def test_dossier_exports_its_passages_with_citations(api):
    """Markdown and Word, built by the server from passage ids: the text, the page, the note, the
    bibliography; an id no longer indexed is left out."""
    import io

    from docx import Document

    results = api.get("/api/search", params={"q": "garage solidaire", "k": 2}).json()["results"]
    params = [("id", results[1]["id"]), ("id", results[0]["id"]), ("id", "absent:000000000000"),
              ("note", "à relire"), ("note", ""), ("note", "")]
    md = api.get("/dossier/export.md", params=params)
    assert md.status_code == 200 and "attachment" in md.headers["content-disposition"]
    assert md.text.index(results[1]["location"]) < md.text.rindex(results[0]["location"])
    assert "**Ma note :** à relire" in md.text and "## Bibliographie" in md.text
    word = api.get("/dossier/export.docx", params=params)
    doc = Document(io.BytesIO(word.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert " ".join(results[0]["text"].split())[:80] in text and results[0]["location"] in text
    assert "http://" in text and "/corpus/" in text               # the link to the cited page
    assert "à relire" in text
    pdf = api.get("/dossier/export.pdf", params=params)     # Markdown and Word only
    assert pdf.status_code == 422 and [e["loc"][-1] for e in pdf.json()["detail"]] == ["format"]
    page = api.get("/dossier", params=params).text
    assert "n'est plus dans le fonds" in page and results[0]["id"] in page


def test_editor_page_without_editing_lists_the_publications(settings, context):
    """A service without an editor token: the page lists the publications and says how to get access."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.service import Service, ServiceConfig

    service = Service(context, ServiceConfig(editor_token=None, cors_origins=[], max_upload_mb=2, search_rate=0,
                                             editor_rate=0))
    with TestClient(create_app(service)) as client:
        service.ready.wait(120)
        page = client.get("/editor").text
    assert "Obtenir l'accès" in page and "Actes" in page
