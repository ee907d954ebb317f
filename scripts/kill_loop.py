"""Crash safety: kill -9 the indexing process at random points during add, remove and reindex,
then check that the index still loads, is consistent, and that the service starts and serves it.

    python scripts/kill_loop.py [--kills 60] [--seed 0] [--data-dir D]

Consistent means: the snapshot named by CURRENT loads; FAISS holds exactly the passages of the
SQLite store; every passage belongs to a stored document; the set of documents is the one before
the interrupted operation or the one it was making (never a mix, never empty); a search answers.
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from api.context import Context  # noqa: E402
from api.service import Service, ServiceConfig  # noqa: E402
from index.index import Index  # noqa: E402
from ingest.embedder import Embedder  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402

KIT = """# Kit {n} : les jardins partagés

Un jardin partagé numéro {n} réunit des habitants, une association de quartier et la ville. Les jardiniers
se retrouvent chaque samedi pour cultiver ensemble, échanger des semences et accueillir les écoles du quartier.

## Financer le jardin {n}

Le jardin repose sur des cotisations, un appel à projets de la métropole et le mécénat d'une entreprise locale.
"""


def cli(data: Path, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "api.cli", "--data-dir", str(data), *args], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def documents(data: Path) -> frozenset:
    index = Index.current(data)
    try:
        return frozenset(d["id"] for d in index.store.documents())
    finally:
        index.close()


def check(data: Path, allowed: list[frozenset], embedder) -> str | None:
    """None when consistent, else what is wrong."""
    try:
        index = Index.current(data)
    except Exception as exc:
        return f"index does not load: {exc!r}"
    try:
        store = index.store
        vids = {r[0] for r in store.db.execute("SELECT vid FROM passages")}
        faiss_ids = set(int(i) for i in __import__("faiss").vector_to_array(index.vectors.index.id_map))
        if vids != faiss_ids:
            return f"FAISS and store differ ({len(vids)} vs {len(faiss_ids)})"
        docs = frozenset(d["id"] for d in store.documents())
        orphans = store.db.execute("SELECT COUNT(*) FROM passages WHERE doc_id NOT IN (SELECT id FROM documents)")
        if orphans.fetchone()[0]:
            return "passages without their document"
        if not docs:
            return "empty index"
        if docs not in allowed:
            return f"documents {sorted(docs)} are neither before {sorted(allowed[0])} nor after {sorted(allowed[-1])}"
    finally:
        index.close()
    service = Service(Context(Settings(data_dir=data), embedder=embedder), ServiceConfig())
    service.start(background=False)
    if not service.ready.is_set():
        return f"service did not start: {service.status}"
    if not service.searcher().search("jardin partagé alliances", k=3).hits:
        return "service answers nothing"
    return None


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data-dir")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    data = Path(args.data_dir or tempfile.mkdtemp(prefix="kill-loop-"))
    work = Path(tempfile.mkdtemp(prefix="kill-kits-"))
    embedder = Embedder(Settings(data_dir=data))
    t = time.perf_counter()
    assert cli(data, "ingest").wait() == 0
    print(f"corpus indexed in {time.perf_counter() - t:.0f} s into {data}", flush=True)
    durations, kills, failures, finished, n = {}, 0, [], 0, 0
    while kills < args.kills:
        n += 1
        before = documents(data)
        op = rng.choice(["add", "add", "remove", "reindex"])
        kits = sorted(d for d in before if d.startswith("kit-"))
        if op == "remove" and not kits:
            op = "add"
        if op == "add":
            path = work / f"kit-{n}.md"
            path.write_text(KIT.format(n=n), encoding="utf-8")
            proc, after = cli(data, "add", str(path)), before | {path.stem}
        elif op == "remove":
            victim = rng.choice(kits)
            proc, after = cli(data, "remove", victim), before - {victim}
        else:
            proc, after = cli(data, "reindex"), before
        expected = durations.get(op)
        started = time.perf_counter()
        if expected is None:  # first run of each operation: let it finish, to learn its duration
            proc.wait()
            durations[op] = time.perf_counter() - started
            finished += 1
        else:
            time.sleep(rng.uniform(0.2, expected * 1.1))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            else:
                finished += 1
            proc.wait()
        problem = check(data, [before, after], embedder)
        status = "ok" if problem is None else f"INCONSISTENT: {problem}"
        print(f"{n:3d} {op:8s} killed={proc.returncode == -9!s:5} documents={len(documents(data))} {status}", flush=True)
        if problem:
            failures.append((n, op, problem))
    print(f"\nkills survived: {kills - len(failures)}/{kills} (operations run: {n}, finished before the kill: "
          f"{finished}); inconsistencies: {len(failures)}; median operation times: "
          + ", ".join(f"{k} {v:.1f} s" for k, v in durations.items()))
    for f in failures:
        print("  ", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
