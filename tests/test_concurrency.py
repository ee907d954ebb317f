"""While an editor adds a publication, searches keep being answered from the current snapshot;
two editors acting at once are serialised."""
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from conftest import AUTH, KIT_TEXT, wait_for_job
QUESTIONS = ["alliances entre associations et entreprises", "tiers-lieu à Orléans", "mécénat de compétences",
             "What is the digital fragility index?", "catalise teritoriale", "ODD 17 en pratique"]


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
        done = wait_for_job(client, job)
        assert done["status"] == "terminé", done
        after = client.get("/health").json()["index"]
        assert after["snapshot"] != snapshot                      # switched in, no restart
        hits = client.get("/api/search", params={"q": "jardin partagé fablab", "k": 3}).json()["results"]
        assert any(h["doc_id"] == "jardins-partages" for h in hits)
        wait_for_job(client, client.delete("/api/documents/jardins-partages", headers=AUTH).json())


def test_two_editors_at_once_are_serialised(server):
    base = server["url"]
    results = {}

    def upload(name, text):
        with httpx.Client(base_url=base, timeout=120) as c:
            job = c.post("/api/documents", files={"file": (f"{name}.md", text.encode())}, headers=AUTH).json()
            results[name] = wait_for_job(c, job)

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
            wait_for_job(c, c.delete(f"/api/documents/{name}", headers=AUTH).json())
