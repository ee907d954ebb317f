"""A soak: mixed traffic against `catalyse serve` on loopback for a bounded time — searches, related
resources, uploads, removals, reindexes, and kill -9 of the service (often in the middle of an edit) with
restarts — checking after every step that /health, /api/documents, the store, FAISS, SQLite's
integrity_check and the originals agree, that the documents are the set before an edit or the set after it
(never a mix), that no original is orphaned and that every job submitted still has its record.

    nice -n 19 python scripts/soak.py [--minutes 30] [--data-dir data/bundled] [--seed 0] [--port 8766]

Prints one line per step and a summary; exit status 1 on any inconsistency or answer ≥ 500.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from probe import AUTH, KIT, REPO, TOKEN, Served, consistency  # noqa: E402

QUESTIONS = ["jardin partagé", "alliances entre associations et entreprises", "tiers-lieu autogéré par des jeunes",
             "mécénat de compétences", "ODD 17 partenariats", "garage solidaire mobilité", "évaluer l'impact"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--data-dir", default=str(REPO / "data" / "bundled"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--port", type=int, default=8766)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="soak-"))
    data = work / "data"
    shutil.copytree(args.data_dir, data, ignore=shutil.ignore_patterns("cache"))
    served = Served(data, args.port, {"CATALYSE_EDITOR_TOKEN": TOKEN, "CATALYSE_SEARCH_RATE": "0",
                                      "CATALYSE_EDITOR_RATE": "0", "HF_HUB_OFFLINE": "1"})
    served.start()
    client = httpx.Client(base_url=served.url, timeout=120)
    ops, answers, problems = Counter(), Counter(), []
    jobs: dict[str, str] = {}                          # every job submitted → its last known status
    kills = mixed = lost_jobs = 0
    started, n = time.time(), 0
    deadline = started + args.minutes * 60

    def listed() -> frozenset:
        return frozenset(d["id"] for d in client.get("/api/documents").json()["documents"])

    def call(method: str, url: str, **kw) -> httpx.Response:
        r = client.request(method, url, **kw)
        answers[r.status_code] += 1
        if r.status_code >= 500:
            problems.append(f"step {n}: {method} {url} → {r.status_code}")
        return r

    while time.time() < deadline:
        n += 1
        before = listed()
        kits = sorted(d for d in before if d.startswith("soak-"))
        op = rng.choices(["search", "related", "add", "remove", "reindex", "kill"], [4, 2, 4, 2, 0.5, 2])[0]
        if op == "remove" and not kits:
            op = "add"
        after, job = before, None
        if op == "search":
            for _ in range(rng.randint(1, 8)):
                call("GET", "/api/search", params={"q": rng.choice(QUESTIONS), "k": rng.randint(1, 20)})
        elif op == "related":
            hits = call("GET", "/api/search", params={"q": rng.choice(QUESTIONS), "k": 3}).json()["results"]
            if hits:
                call("GET", "/api/related", params={"id": rng.choice(hits)["id"]})
        elif op == "add":
            name = f"soak-{n}"
            r = call("POST", "/api/documents", headers=AUTH,
                     files={"file": (f"{name}.md", KIT.format(n=f"{n} {rng.random()}").encode())})
            job, after = r.json(), before | {name}
        elif op == "remove":
            victim = rng.choice(kits)
            job, after = call("DELETE", f"/api/documents/{victim}", headers=AUTH).json(), before - {victim}
        elif op == "reindex":
            job = call("POST", "/api/reindex", headers=AUTH).json()
        if job:
            jobs[job["id"]] = job["status"]
        # a reindex re-embeds the whole corpus (minutes under nice on a shared machine): always killed
        killed = op in ("kill", "reindex") or (job is not None and rng.random() < 0.5)
        if killed:
            if job is not None:       # in the middle of the edit: anywhere from its start to its snapshot write
                time.sleep(rng.uniform(0, 30 if op == "reindex" else 8))
            served.kill()
            kills += 1
            served.start()
        elif job:
            end = time.time() + 600
            while time.time() < end and jobs[job["id"]] not in ("terminé", "échec", "annulé"):
                jobs[job["id"]] = client.get(f"/api/jobs/{job['id']}", headers=AUTH).json()["status"]
                time.sleep(0.2)
        now = listed()
        if now not in (before, after):
            mixed += 1
            problems.append(f"step {n} ({op}): documents are neither the set before nor the set after")
        known = {j["id"]: j["status"] for j in client.get("/api/jobs", headers=AUTH).json()["jobs"]}
        missing = [j for j in jobs if j not in known]
        lost_jobs += len(missing)
        if missing:
            problems.append(f"step {n}: job records lost {missing[:3]}")
        jobs.update({j: known[j] for j in jobs if j in known})
        found = consistency(data, served)
        problems += [f"step {n} ({op}): {p}" for p in found]
        ops[op] += 1
        print(f"{n:4d} {time.time() - started:6.0f} s {op:8s} killed={killed!s:5} documents={len(now)} "
              f"{'ok' if not found else 'INCONSISTENT: ' + '; '.join(found)}", flush=True)
    served.stop()
    leftovers = consistency(data)
    problems += [f"after the stop: {p}" for p in leftovers]
    interrupted = sum(1 for s in jobs.values() if s == "échec")
    print(f"\n{n} steps in {(time.time() - started) / 60:.1f} min: " + ", ".join(f"{k} {v}" for k, v in ops.items())
          + f"; kills {kills}; requests " + ", ".join(f"{c}×{k}" for c, k in sorted(answers.items())))
    print(f"jobs {len(jobs)} (ended in échec, mostly interrupted by a kill: {interrupted}); lost job records "
          f"{lost_jobs}; mixed document sets {mixed}; inconsistencies {len(problems)}")
    for p in problems[:20]:
        print("  ", p)
    shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
