"""While an editor adds a publication, searches keep being answered from the current snapshot;
two editors acting at once are serialised."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from conftest import EDITOR_TOKEN, KIT_TEXT

AUTH = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
QUESTIONS = ["alliances entre associations et entreprises", "tiers-lieu à Orléans", "mécénat de compétences",
             "What is the digital fragility index?", "catalise teritoriale", "ODD 17 en pratique"]


def wait(client, job_id, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = client.get(f"/api/jobs/{job_id}", headers=AUTH).json()
        if job["status"] in ("terminé", "échec"):
            return job
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def test_200_concurrent_searches_during_an_add(server, tmp_path):
    base = server["url"]
    with httpx.Client(base_url=base, timeout=120) as client:
        snapshot = client.get("/health").json()["index"]["snapshot"]
        text = KIT_TEXT.replace("tiers-lieu", "jardin partagé")
        job = client.post("/api/documents", files={"file": ("jardins-partages.md", text.encode())}, headers=AUTH).json()

        def ask(i):
            with httpx.Client(base_url=base, timeout=120) as c:
                r = c.get("/api/search", params={"q": QUESTIONS[i % len(QUESTIONS)], "k": 5})
                return r.status_code, r.json().get("total", 0)

        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(ask, range(200)))
        assert [code for code, _ in answers] == [200] * 200
        assert all(total > 0 for _, total in answers)
        done = wait(client, job["id"])
        assert done["status"] == "terminé", done
        after = client.get("/health").json()["index"]
        assert after["snapshot"] != snapshot                      # switched in, no restart
        hits = client.get("/api/search", params={"q": "jardin partagé fablab", "k": 3}).json()["results"]
        assert any(h["doc_id"] == "jardins-partages" for h in hits)
        wait(client, client.delete("/api/documents/jardins-partages", headers=AUTH).json()["id"])


def test_two_editors_at_once_are_serialised(server):
    base = server["url"]
    results = {}

    def upload(name, text):
        with httpx.Client(base_url=base, timeout=120) as c:
            job = c.post("/api/documents", files={"file": (f"{name}.md", text.encode())}, headers=AUTH).json()
            results[name] = wait(c, job["id"])

    threads = [threading.Thread(target=upload, args=(name, KIT_TEXT.replace("tiers-lieu", word)))
               for name, word in (("editeur-a", "ressourcerie"), ("editeur-b", "recyclerie"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a, b = results["editeur-a"], results["editeur-b"]
    assert a["status"] == b["status"] == "terminé"
    first, second = sorted((a, b), key=lambda j: j["started"])
    assert first["finished"] <= second["started"]            # one after the other, never interleaved
    with httpx.Client(base_url=base, timeout=120) as c:
        docs = {d["id"] for d in c.get("/api/documents").json()["documents"]}
        assert {"editeur-a", "editeur-b"} <= docs
        for name in ("editeur-a", "editeur-b"):
            wait(c, c.delete(f"/api/documents/{name}", headers=AUTH).json()["id"])
