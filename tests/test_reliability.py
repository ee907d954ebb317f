"""The bugs an adversarial probe found (issue 13), each as the request or the crash that showed it:
never a 500, bad editor input refused before anything is queued, nothing lost or brought back by a crash."""
import json
import threading
import time

import httpx
import pytest

from conftest import AUTH, KIT_TEXT, wait_for_job


@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=server["url"], timeout=120) as client:
        yield client


def jobs_count(api) -> int:
    return len(api.get("/api/jobs", headers=AUTH).json()["jobs"])


# -- 1. a name too long to be a file is a 4xx, wherever a name becomes a path ------------------------------
@pytest.mark.parametrize("method,path", [
    ("GET", "/corpus/" + "a" * 256), ("GET", "/corpus/" + "é" * 200 + ".pdf"), ("GET", "/static/" + "a" * 256),
    ("GET", "/corpus/a%00b.pdf"), ("GET", "/static/a%00b"), ("GET", "/api/documents/" + "a" * 5000),
    ("GET", "/corpus/..%2f..%2fetc%2fpasswd"), ("GET", "/static/..%2f..%2fetc%2fpasswd"), ("GET", "/corpus/" + "." * 300),
    ("GET", "/static/" + "." * 300), ("GET", "/corpus/" + "%ff" * 100), ("GET", "/static/" + "%ff" * 100),
    ("DELETE", "/api/documents/" + "a" * 5000), ("GET", "/api/related?id=" + "a" * 5000),
])
def test_long_or_odd_names_are_a_4xx(api, method, path):
    r = api.request(method, path, headers=AUTH)
    assert 400 <= r.status_code < 500, (path[:40], r.status_code, r.text[:200])


# -- 2. the search page's parameters cannot leave a variable unset ----------------------------------------
@pytest.mark.parametrize("query", ["q=alliance&sdg=%C2%B2", "q=alliance&sdg=%C2%B9", "q=alliance&sdg=%E2%91%A0",
                                   "q=alliance&sdg=%C2%B2&fragment=results", "sdg=%D9%A3", "q=a&k=%C2%B2"])
def test_non_ascii_digits_in_the_page_parameters_are_a_422(api, query):
    r = api.get("/?" + query)
    assert r.status_code == 422 and "Paramètre invalide" in r.text


@pytest.mark.parametrize("value", ["%C2%B2", "%E2%91%A0", "%D9%A3", "1e3", "-0", "%00", "9" * 40])
@pytest.mark.parametrize("name", ["sdg", "k", "page_min"])
def test_odd_numbers_in_any_numeric_parameter_are_a_422_or_an_answer(api, name, value):
    """scripts/probe.py's case: on the page, its fragment and the API alike."""
    for path in ("/?", "/?fragment=results&", "/api/search?"):
        r = api.get(f"{path}q=alliance&{name}={value}")
        assert r.status_code in (200, 422), (path, r.status_code, r.text[:200])


# -- 3 and 4. editor metadata is checked against its schema before the 202 --------------------------------
BAD_METADATA = {
    "deep list": "[" * 5000 + "]" * 5000,
    "deep object": '{"a":' * 3000 + "1" + "}" * 3000,
    "deep inside tags": json.dumps({"tags": {"levers": [[[[["qualifier"]]]]]}}),
    "unknown lever": json.dumps({"tags": {"levers": ["hack"]}}),
    "sdg out of range": json.dumps({"tags": {"sdg": [99]}}),
    "unknown trade": json.dumps({"tags": {"trades": ["plombier"]}}),
    "unknown entry point": json.dumps({"tags": {"entry_point": "roman"}}),
    "title a number": json.dumps({"title": 12345}),
    "title too long": json.dumps({"title": "t" * 5000}),
    "too many tags": json.dumps({"tags": {"sdg": list(range(1, 18)) * 10}}),
    "too many fields": json.dumps({f"champ{i}": "x" for i in range(200)}),
    "a list of objects": json.dumps({"auteurs": [{"nom": "x"}]}),
    "not an object": "[1, 2]",
    "kind and genre disagree": json.dumps({"kind": "kit", "genre": "actes"}),   # kind: genre's name before API 0.3.0
    "too large": json.dumps({"note": "x" * 200_000}),
    "null": "null",
    "a string": '"texte"',
    "unfinished": "{",
    "not JSON": "ÿ",
}


@pytest.mark.parametrize("case", BAD_METADATA)
def test_bad_metadata_is_a_422_before_anything_is_queued(api, case):
    before = jobs_count(api)
    r = api.post("/api/documents", files={"file": ("kit-metadonnees.md", KIT_TEXT.encode())},
                 data={"metadata": BAD_METADATA[case]}, headers=AUTH)
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_metadata", (case, r.status_code, r.text[:300])
    assert jobs_count(api) == before


def test_good_editor_tags_are_accepted_and_normalised():
    from ingest.metadata import checked_metadata

    meta = checked_metadata('{"title": "Kit", "licence": "CC-BY", "tags": {"levers": ["qualifier"], "sdg": ["8", 17],'
                            ' "entry_point": "outil", "replace": true}}')
    assert meta == {"title": "Kit", "licence": "CC-BY",
                    "tags": {"levers": ["qualifier"], "sdg": [8, 17], "entry_point": "outil", "replace": True}}


def test_a_publications_kind_written_before_0_3_0_is_read_as_its_genre(tmp_path):
    """« kind » was a publication's genre until API 0.3.0 (docs/glossary.md): files and forms saying it
    still work, under the new name, and saying both with two values is refused, naming both."""
    from ingest.metadata import BadMetadata, checked_metadata
    from ingest.readers import load_metadata

    (tmp_path / "kit.md").write_text(KIT_TEXT)
    (tmp_path / "kit.meta.json").write_text(json.dumps({"title": "Kit", "kind": "kit"}))
    assert load_metadata(tmp_path / "kit.md") == {"title": "Kit", "genre": "kit"}
    assert checked_metadata('{"kind": "actes", "genre": "actes"}') == {"genre": "actes"}
    with pytest.raises(BadMetadata, match="« kind » est l'ancien nom de « genre »"):
        checked_metadata('{"kind": "kit", "genre": "actes"}')


def test_a_bad_metadata_file_beside_a_publication_is_refused(tmp_path):
    from ingest.errors import CatalyseError
    from ingest.readers import load_metadata

    (tmp_path / "kit.md").write_text(KIT_TEXT)
    (tmp_path / "kit.meta.json").write_text(json.dumps({"tags": {"levers": ["hack"]}}))
    with pytest.raises(CatalyseError) as refused:
        load_metadata(tmp_path / "kit.md")
    assert refused.value.code == "bad_metadata" and "hack" in str(refused.value)


# -- 5. a text over spaCy's length limit is read in pieces ------------------------------------------------
def test_a_segment_over_the_pipeline_limit_is_processed_in_pieces():
    from ingest.chunker import Chunker
    from ingest.document import Document
    from ingest.nlp import french_pipeline
    from ingest.structure import segments_of

    paragraph = ("Le tiers-lieu accueille les habitants du quartier chaque semaine. Les jeunes y réparent des vélos "
                 "et animent un atelier de couture ouvert à tous. ") * 3
    text = "\n\n".join(f"{paragraph} Séance {i}." for i in range(60))   # about 20,000 characters, one section
    doc = Document(id="long", title="Long", text=text, page_starts=[0], metadata={"format": "text"}, source="long.txt",
                   content_hash="x", unit="")
    nlp = french_pipeline()
    limit = nlp.max_length
    nlp.max_length = 5_000          # spaCy's own bound (1,000,000 by default), lowered so the test is quick
    try:
        chunks = Chunker().chunks(doc, segments_of(doc))
    finally:
        nlp.max_length = limit
    covered = " ".join(text[c.start:c.end] for c in chunks)
    assert len(chunks) > 40 and all(f"Séance {i}." in covered for i in range(60))
    assert all(c.end - c.start < 5_000 for c in chunks)


# -- 6. a crash before the switch leaves no original, a crash after it loses none -------------------------
def _note(tmp_path, name: str, words: str):
    path = tmp_path / f"{name}.md"
    path.write_text(f"# {name}\n\n" + (words + " ") * 12)
    return path


class Killed(BaseException):
    """What a kill looks like to the code that was running: nothing after it runs."""


def test_a_write_killed_before_the_switch_leaves_no_original(fresh, tmp_path, monkeypatch):
    first = _note(tmp_path, "premier", "Le garage solidaire prête des voitures aux demandeurs d'emploi du canton.")
    fresh.add([(first, {})])
    second = _note(tmp_path, "second", "Le fablab du lycée ouvre ses machines aux artisans le samedi matin.")

    def killed(self, build):
        raise Killed()
    monkeypatch.setattr(type(fresh.snapshots), "publish", killed)
    with pytest.raises(Killed):
        fresh.add([(second, {"title": "Second"})])
    monkeypatch.undo()
    assert not (fresh.originals / "second").exists()
    assert sorted(p.name for p in fresh.originals.iterdir()) == ["premier"]
    assert [c.doc_id for c in fresh.reindex()] == ["premier"]


def test_a_write_killed_after_the_switch_keeps_its_original(fresh, tmp_path, monkeypatch):
    from index.indexer import Indexer

    first = _note(tmp_path, "premier", "Le garage solidaire prête des voitures aux demandeurs d'emploi du canton.")
    fresh.add([(first, {})])
    second = _note(tmp_path, "second", "Le fablab du lycée ouvre ses machines aux artisans le samedi matin.")
    commit = Indexer._commit_originals

    def killed_after_the_switch(self, snapshot):
        if (snapshot / "originals").is_dir():       # the new snapshot, switched in, its originals not yet moved
            raise Killed()
        commit(self, snapshot)
    monkeypatch.setattr(Indexer, "_commit_originals", killed_after_the_switch)
    with pytest.raises(Killed):
        fresh.add([(second, {"title": "Second"})])
    monkeypatch.undo()
    assert sorted(p.name for p in fresh.originals.iterdir()) == ["premier"]
    restarted = Indexer(fresh.data_dir, fresh.ingestor)
    restarted.recover()
    assert sorted(p.name for p in restarted.originals.iterdir()) == ["premier", "second"]
    assert json.loads((restarted.originals / "second" / "metadata.json").read_text()) == {"title": "Second"}
    assert (restarted.originals / "second" / "second.md").read_bytes() == second.read_bytes()


def test_recovery_drops_orphans_and_temporaries(fresh, tmp_path):
    first = _note(tmp_path, "premier", "Le garage solidaire prête des voitures aux demandeurs d'emploi du canton.")
    fresh.add([(first, {})])
    (fresh.originals / "fantome").mkdir()
    (fresh.originals / "fantome" / "fantome.pdf").write_bytes(b"%PDF-1.4")
    (fresh.originals / "premier.tmp").mkdir()
    fresh.recover()
    assert sorted(p.name for p in fresh.originals.iterdir()) == ["premier"]


def test_a_job_lost_to_a_crash_says_so_after_restart(settings, embedder, tmp_path):
    from api.context import Context
    from api.service import Service
    from ingest.settings import Settings

    data = Settings(data_dir=tmp_path / "data", corpus_dir=settings.corpus_dir, model_cache=settings.model_cache)
    before = Service(Context(data, embedder=embedder))
    waiting = before.submit("ajout", lambda job: None, doc_id="kit")         # queued; its worker never started
    (data.data_dir / "upload-abc123").mkdir(parents=True)
    after = Service(Context(data, embedder=embedder))
    after.recover()
    lost = after.jobs[waiting.id]
    assert lost.status == "échec" and lost.error_code == "interrupted" and "arrêt du service" in lost.message
    assert lost.doc_id == "kit" and not (data.data_dir / "upload-abc123").exists()


def test_the_job_records_survive_a_restart_of_the_server(api, server):
    r = api.post("/api/documents", files={"file": ("kit-redemarrage.md", KIT_TEXT.replace("vélos", "trottinettes"))},
                 headers=AUTH)
    assert r.status_code == 202
    done = wait_for_job(api, r.json())
    assert done["status"] == "terminé"
    import time

    record = server["service"].settings.data_dir / "jobs" / f"{done['id']}.json"
    for _ in range(50):            # saved just after the status the poll saw
        stored = json.loads(record.read_text())
        if stored["status"] == "terminé":
            break
        time.sleep(0.1)
    assert stored["status"] == "terminé" and stored["doc_id"] == "kit-redemarrage"
    wait_for_job(api, api.delete("/api/documents/kit-redemarrage", headers=AUTH).json())


# -- the weak points (W1–W11) ------------------------------------------------------------------------------
def _raw_request(url: str, head: bytes, body_parts=(), pause: float = 0.0, timeout: float = 30) -> bytes:
    """One request on a raw socket (headers as given, the body in parts with pauses); what came back."""
    import socket
    import time
    from urllib.parse import urlparse

    where = urlparse(url)
    with socket.create_connection((where.hostname, where.port), timeout=timeout) as s:
        s.sendall(head)
        try:
            for part in body_parts:
                time.sleep(pause)
                s.sendall(part)
        except OSError:
            pass                # the server answered and closed: read what it said
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and b"}" in answer:
                    break
        except (TimeoutError, ConnectionResetError):
            pass
        return answer


def test_w1_a_large_body_is_refused_before_it_is_sent(server):
    """401 without a token and 413 over the size, both answered from the headers alone (nothing of the
    declared 300 MB is sent)."""
    head = ("POST /api/documents HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            "Content-Length: 300000000\r\n{auth}\r\n")
    anonymous = _raw_request(server["url"], head.format(auth="").encode(), timeout=10)
    assert anonymous.startswith(b"HTTP/1.1 401") and b"bad_token" in anonymous
    editor = _raw_request(server["url"], head.format(auth=f"Authorization: {AUTH['Authorization']}\r\n").encode(),
                          timeout=10)
    assert editor.startswith(b"HTTP/1.1 413") and b"too_large" in editor


def test_w1_a_slow_body_is_cut_off(server, monkeypatch):
    monkeypatch.setattr("api.guard.BODY_IDLE_S", 1.0)
    head = ("POST /api/related HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 1000\r\n\r\n").encode()
    answer = _raw_request(server["url"], head, [b'{"text": "', b"a" * 10], pause=2.5, timeout=20)
    assert answer.startswith(b"HTTP/1.1 408") and b"slow_body" in answer


def test_w2_w4_failed_tokens_have_their_own_budget_and_429s_carry_cors():
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.service import Service, ServiceConfig

    service = Service(config=ServiceConfig(editor_token="le-bon-jeton", editor_rate=1, search_rate=1,
                                           cors_origins=["http://site.example"]))
    origin = {"Origin": "http://site.example"}
    with TestClient(create_app(service, start=False)) as client:
        wrong = [client.post("/api/reindex", headers={"Authorization": "Bearer faux", **origin}) for _ in range(12)]
        assert [r.status_code for r in wrong[:10]] == [401] * 10 and wrong[-1].status_code == 429
        assert wrong[-1].headers["access-control-allow-origin"] == "http://site.example"
        right = client.post("/api/reindex", headers={"Authorization": "bearer le-bon-jeton"})
        assert right.status_code == 503                 # not ready (not started): past the token, not limited
        searches = [client.get("/api/search", params={"q": "x"}, headers=origin) for _ in range(12)]
        assert searches[-1].status_code == 429
        assert searches[-1].headers["access-control-allow-origin"] == "http://site.example"


def test_w3_forwarded_headers_are_believed_from_configured_proxies_only():
    from api.service import ServiceConfig

    assert ServiceConfig(trusted_proxies=[]).server_options() == {"proxy_headers": False, "forwarded_allow_ips": None}
    assert ServiceConfig(trusted_proxies=["10.0.0.2"]).server_options() == {"proxy_headers": True,
                                                                             "forwarded_allow_ips": ["10.0.0.2"]}


def test_w3_a_forwarded_header_gives_no_fresh_budget_over_http(tmp_path):
    """The server run as `catalyse serve` runs it (its uvicorn options): requests from loopback, each under a
    new X-Forwarded-For, spend one budget. With uvicorn's defaults, which believe a loopback client's
    header, every request had a budget of its own and none was limited."""
    import threading
    import time

    import uvicorn

    from api.app import create_app
    from api.context import Context
    from api.service import Service, ServiceConfig
    from conftest import _free_port
    from ingest.settings import Settings

    service = Service(Context(Settings(data_dir=tmp_path / "data")), ServiceConfig(search_rate=1))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(service, start=False), host="127.0.0.1", port=port,
                                           log_level="warning", **service.config.server_options()))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.time() + 30
        while not server.started:
            assert time.time() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.05)
        codes = [httpx.get(f"http://127.0.0.1:{port}/api/documents/inconnu",
                           headers={"X-Forwarded-For": f"10.0.{i}.1"}).status_code for i in range(15)]
        assert 429 in codes, codes            # a burst of 10 at one request a second: the 12th at the latest
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.parametrize("algorithm,password", [("AES-128", ""), ("AES-256", ""), ("AES-256", "secret"),
                                                ("RC4-128", "secret")])
def test_w5_encrypted_pdfs_are_recognised(tmp_path, algorithm, password):
    import pypdf

    from ingest.errors import UnreadableDocument
    from ingest.readers import read_document
    from pdfgen import make_pdf

    writer = pypdf.PdfWriter(clone_from=str(make_pdf(tmp_path / "clair.pdf", [["Un texte en clair."]])))
    writer.encrypt(user_password=password, owner_password="proprietaire", algorithm=algorithm)
    locked = tmp_path / "chiffre.pdf"
    with open(locked, "wb") as handle:
        writer.write(handle)
    with pytest.raises(UnreadableDocument) as refused:
        read_document(locked)
    assert refused.value.code == "encrypted_pdf"


def test_w6_a_copy_with_other_line_endings_is_a_duplicate_and_names_do_not_collide(api):
    text = KIT_TEXT.replace("vélos", "skateboards")
    first = api.post("/api/documents", files={"file": ("kit-skate.md", text.encode())}, headers=AUTH)
    assert wait_for_job(api, first.json())["status"] == "terminé"
    try:
        for copy in ("\ufeff" + text.replace("\n", "\r\n"), text + "\n\n\n", text.replace("\n", "  \n")):
            r = api.post("/api/documents", files={"file": ("copie-du-kit.md", copy.encode())}, headers=AUTH)
            assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_document", r.text
        other = KIT_TEXT.replace("vélos", "rollers")
        r = api.post("/api/documents", files={"file": ("KIT SKATÉ.TXT", other.encode())}, headers=AUTH)
        assert r.status_code == 409 and r.json()["error"]["code"] == "name_taken", r.text
        assert "skateboards" in api.get("/corpus/kit-skate.md").text
    finally:
        wait_for_job(api, api.delete("/api/documents/kit-skate", headers=AUTH).json())


def test_w8_a_text_too_short_to_be_found_is_refused(api):
    r = api.post("/api/documents", files={"file": ("court.md", "# Court\n\nTrois mots seulement.".encode())},
                 headers=AUTH)
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_short"


# W9: an edit is cancelled while it waits or while it runs, up to the write of its snapshot
def what_the_data_holds(api, server) -> dict:
    """Everything a cancelled edit must leave as it was: the snapshot, the documents and passages served,
    the originals, and no temporary (upload folder or unfinished build)."""
    data = server["service"].settings.data_dir
    return {"snapshot": server["service"].snapshots.current().name,
            "documents": sorted(d["id"] for d in api.get("/api/documents").json()["documents"]),
            "passages": api.get("/health").json()["index"]["passages"],
            "originals": sorted(p.name for p in (data / "originals").iterdir()),
            "temporaries": sorted(p.name for p in data.glob("upload-*")) + sorted(
                p.name for p in (data / "snapshots").glob(".build-*"))}


def wait_for_status(api, job: dict, step: str = "", message: str = "", timeout: float = 300) -> dict:
    """Poll a job until it is « en cours », its step starting with ``step`` and its message with ``message``."""
    import time

    deadline = time.time() + timeout
    while time.time() < deadline:
        state = api.get(f"/api/jobs/{job['id']}", headers=AUTH).json()
        if state["status"] == "en cours" and (state["progress"] or {}).get("step", "").startswith(step) \
                and state["message"].startswith(message):
            return state
        assert not state["status"] in ("terminé", "échec", "annulé"), state
        time.sleep(0.05)
    raise AssertionError(f"job {job['id']} never reached « {step or message} »")


def assert_cancelled(api, server, job: dict) -> None:
    ended = wait_for_job(api, job)
    assert ended["status"] == "annulé" and ended["error_code"] == "cancelled" and not ended["writing"], ended
    record = server["service"].settings.data_dir / "jobs" / f"{job['id']}.json"
    assert json.loads(record.read_text())["status"] == "annulé"


def test_w9_edits_waiting_or_blocked_before_their_first_step_are_cancelled(api, server):
    """Deterministic: another writer (here the test, as the CLI would) holds the data directory's write
    lock, so the first edit runs (« en cours ») but cannot pass its first checkpoint, and the second waits."""
    from index.snapshots import Snapshots

    before = what_the_data_holds(api, server)
    with Snapshots(server["service"].settings.data_dir).lock():
        running = api.post("/api/documents", files={"file": ("kit-bloque.md", KIT_TEXT.replace("vélos", "tulipes"))},
                           headers=AUTH).json()
        waiting = api.post("/api/documents", files={"file": ("kit-annule.md", KIT_TEXT.replace("vélos", "rosiers"))},
                           headers=AUTH).json()
        wait_for_status(api, running, message="en attente de l'index")     # blocked on the lock this test holds
        for job in (waiting, running):
            r = api.delete(f"/api/jobs/{job['id']}", headers=AUTH)
            assert r.status_code == 200 and r.json()["cancel_requested"], r.text
        assert api.get(f"/api/jobs/{running['id']}", headers=AUTH).json()["status"] == "en cours"
    assert_cancelled(api, server, running)
    assert_cancelled(api, server, waiting)
    assert what_the_data_holds(api, server) == before


def long_publication(words_per_section: int = 200, sections: int = 40) -> bytes:
    """A Markdown publication of about 7,400 words (80 passages), never seen before (its embeddings are not cached):
    about 630 texts to embed, three slices of the model (Embedder: 256 texts each), each several seconds
    long on the project's machine (the first, of the longest texts, 27 s at 120 sections on a loaded day)."""
    import random
    import uuid

    rng = random.Random()
    vocabulary = ("habitants quartier tiers-lieu association jardin atelier vélos réparation coopérative école "
                  "mairie partenaires financement bénévoles compétences emploi jeunes numérique formation "
                  "territoire projet alliance gouvernance évaluation").split()
    marker = uuid.uuid4().hex[:8]
    parts = [f"# Chronique {marker} des ateliers du territoire\n"]
    for i in range(sections):
        sentences = [" ".join(rng.choice(vocabulary) for _ in range(12)).capitalize() + f" ({marker}-{i}-{j})."
                     for j in range(words_per_section // 14)]
        parts.append(f"## Atelier {i}\n\n" + " ".join(sentences) + "\n")
    return "\n".join(parts).encode()


def test_w9_a_running_upload_is_cancelled_while_it_is_embedded(api, server):
    before = what_the_data_holds(api, server)
    r = api.post("/api/documents", files={"file": ("chronique-longue.md", long_publication())}, headers=AUTH)
    assert r.status_code == 202, r.text
    job = r.json()
    wait_for_status(api, job, step="vectorisation")     # read and cut: the job is half-way
    r = api.delete(f"/api/jobs/{job['id']}", headers=AUTH)
    # a job this long is still embedding when the request lands; were it not, the answer would be a 409
    # and the job would end « terminé » — never a cancellation accepted then ignored
    assert r.status_code == 200 and r.json()["cancel_requested"], r.text
    assert_cancelled(api, server, job)
    assert what_the_data_holds(api, server) == before
    assert api.get("/api/documents/chronique-longue").status_code == 404


def test_w9_a_running_reindex_is_cancelled(api, server):
    before = what_the_data_holds(api, server)
    job = api.post("/api/reindex", headers=AUTH).json()
    wait_for_status(api, job, step="lecture")          # reading the first publication of the index
    r = api.delete(f"/api/jobs/{job['id']}", headers=AUTH)
    assert r.status_code == 200 and r.json()["cancel_requested"], r.text
    assert_cancelled(api, server, job)
    assert what_the_data_holds(api, server) == before
    assert api.get("/api/search", params={"q": "tiers-lieu"}).json()["total"] > 0


def test_w9_an_edit_writing_its_snapshot_cannot_be_cancelled_any_more(tmp_path):
    """The cancellation and the job's last checkpoint exclude each other: a job that has passed it says
    409 job_running, and a cancelled job stops at it."""
    from api.context import Context
    from api.jobs import Job, JobCancelled, JobRunning
    from api.service import Service
    from ingest.settings import Settings

    service = Service(Context(Settings(data_dir=tmp_path / "data")))
    writing = Job(id="ecrit", action="ajout", status="en cours")
    writing.commit()
    with pytest.raises(JobRunning):
        service.cancel(writing)
    assert not writing.cancel_requested and writing.writing
    stopped = Job(id="arrete", action="ajout", status="en cours")
    assert service.cancel(stopped).cancel_requested
    with pytest.raises(JobCancelled):
        stopped.commit()
    assert not stopped.writing


def test_a_job_is_seen_ended_only_once_its_record_says_so(tmp_path):
    """A client polling the job must never be told « annulé » (or « terminé ») while the record on disk
    still says « en cours » (CI caught that window): the end is written first, then shown."""
    from api.context import Context
    from api.jobs import JobRecords
    from api.service import Service
    from ingest.errors import CatalyseError
    from ingest.settings import Settings

    service = Service(Context(Settings(data_dir=tmp_path / "data")))
    seen_when_saved = []

    class Watching(JobRecords):
        def save(self, job):
            seen_when_saved.append((job.status, service.jobs[job.id].status))
            super().save(job)

    service.records = Watching(service.settings.data_dir)
    threading.Thread(target=service._work, daemon=True).start()

    def refused(job):
        raise CatalyseError("refusé")

    def buggy(job):
        raise ValueError("bogue")
    jobs = [service.submit("ajout", refused), service.submit("ajout", buggy)]
    cancelled = service.submit("ajout", lambda job: None)
    service.cancel(cancelled)
    for job in jobs + [cancelled]:
        deadline = time.time() + 10
        while not job.done and time.time() < deadline:
            time.sleep(0.01)
    assert [j.status for j in jobs + [cancelled]] == ["échec", "échec", "annulé"]
    ends = [(saved, shown) for saved, shown in seen_when_saved if saved in ("terminé", "échec", "annulé")]
    assert [saved for saved, _ in ends] == ["échec", "échec", "annulé"]
    assert all(shown == "en cours" for _, shown in ends), ends
    for job in jobs + [cancelled]:
        assert json.loads((tmp_path / "data" / "jobs" / f"{job.id}.json").read_text())["status"] == job.status


@pytest.mark.parametrize("headers", ["Content-Length: 5\r\nContent-Length: 40\r\n",
                                     "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                                     "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
                                     "Content-Length: -1\r\n", "Content-Length: +5\r\n"])
def test_smuggling_with_conflicting_lengths_is_refused(server, headers):
    smuggled = b"GET /api/jobs HTTP/1.1\r\nHost: x\r\n\r\n"
    head = (f"POST /api/related HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{headers}\r\n").encode()
    answer = _raw_request(server["url"], head + b"0\r\n\r\n" + smuggled, timeout=10)
    statuses = [line[9:12] for line in answer.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]
    assert statuses and all(s.startswith(b"4") for s in statuses), answer[:300]
    assert b"jobs" not in answer and b"bad_token" not in answer         # the smuggled request never ran
    assert httpx.get(server["url"] + "/health").status_code == 200


def test_unfinished_headers_held_open_do_not_stop_the_service(server):
    import socket
    import time

    port = int(server["url"].rsplit(":", 1)[1])
    held = []
    try:
        for _ in range(50):          # fifty connections that never finish their headers
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            held.append(s)
        started = time.perf_counter()
        assert httpx.get(server["url"] + "/health", timeout=10).status_code == 200
        assert time.perf_counter() - started < 5
    finally:
        for s in held:
            s.close()


ODD_UPLOADS = {
    "blank": ("blanc.md", b" \n\t "),
    "binary": ("binaire.md", bytes(range(256)) * 20),
    "a path as name": ("../../etc/passwd", b"x"),
    "fake PDF": ("faux.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8),
    "fake DOCX": ("zip.docx", b"PK\x03\x04" + bytes(range(256)) * 2),
}


@pytest.mark.parametrize("case", ODD_UPLOADS)
def test_odd_uploads_are_refused_before_anything_is_queued(api, case):
    before = jobs_count(api)
    r = api.post("/api/documents", files={"file": ODD_UPLOADS[case]}, headers=AUTH)
    assert 400 <= r.status_code < 500 and r.json()["error"]["code"], (case, r.status_code, r.text[:200])
    assert jobs_count(api) == before


@pytest.mark.parametrize("name", ["a" * 400 + ".md", "nul%00.md"])
def test_long_or_odd_upload_names_are_made_safe(api, name):
    r = api.post("/api/documents", files={"file": (name, KIT_TEXT.replace("vélos", "patins").encode())},
                 headers=AUTH)
    assert r.status_code == 202, r.text
    done = wait_for_job(api, r.json())
    assert done["status"] == "terminé" and len(done["doc_id"]) <= 100 and "%" not in done["doc_id"], done
    wait_for_job(api, api.delete(f"/api/documents/{done['doc_id']}", headers=AUTH).json())


@pytest.mark.parametrize("method,path,kw", [
    *[("GET", "/api/search", {"params": {"q": q}})
      for q in ["%", "\u202e", "🙂" * 500, "SELECT * FROM passages", "<script>", "\\", "\u0000"]],
    *[("GET", "/api/search", {"params": {"q": "x", "k": k}}) for k in (-1, "a")],
    ("GET", "/api/search", {"params": {"q": "x", "page_min": 10 ** 12}}),
    ("POST", "/api/tag", {"json": {"text": ""}}), ("POST", "/api/tag", {"content": b"{"}),
    ("POST", "/api/related", {"json": {"text": "x" * 100_001}}),
    ("POST", "/api/related", {"content": b"[" * 100_000, "headers": {"content-type": "application/json"}}),
])
def test_odd_questions_and_bodies_are_answered_or_refused(api, method, path, kw):
    """scripts/probe.py's odd questions and bodies: an answer or a 4xx, never a 5xx."""
    r = api.request(method, path, **kw)
    assert r.status_code < 500, (path, kw, r.status_code, r.text[:200])
