"""Embedded vs Milvus backend, side by side on this machine: search latency (p50/p95 of the whole
answer, and of dense kNN alone), export/ingestion time and memory. Local vs Ray ingestion throughput:
bench/ray_ingest.py.

    flock /work/heavy.lock python bench/backends.py [--passages N]

``--passages N`` adds a synthetic scale step: the snapshot's passages repeated (vectors jittered and
renormalised) up to N rows in a Milvus collection and a FAISS flat index, dense kNN timed on both.
Milvus is the wheel's binary on a loopback port (scripts/milvus_local.py), its RSS read from /proc.
Needs the extra: pip install -e '.[milvus]'. Figures: docs/scaling.md; 2026-12-08, this machine:
answer p50/p95 embedded 7.9/11.3 ms, Milvus 69.0/130.3 ms; dense k=100 at 100k synthetic passages
FAISS flat 8.5/9.9 ms, Milvus AUTOINDEX 1.9/2.4 ms (+232 MB, 2,435 B a passage); bundled corpus
ingested locally in 104 s."""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from scripts.milvus_local import start  # noqa: E402

QUESTIONS = REPO.parent / "shared" / "eval" / "dev-queries.jsonl"


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"p50 {statistics.median(ms):6.2f} ms  p95 {ms[int(0.95 * (len(ms) - 1))]:6.2f} ms"


def timed(fn, args_list, repeat: int = 3) -> list[float]:
    out = []
    for _ in range(repeat):
        for args in args_list:
            t = time.perf_counter()
            fn(*args)
            out.append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, default=0)
    args = parser.parse_args()

    from api.context import Context
    from index.index import Index
    from index.milvus import MilvusIndex, MilvusSettings, create_collection, milvus_client
    from ingest.settings import Settings, apply_thread_settings
    from search.answer import answer
    from search.searcher import Searcher

    apply_thread_settings()
    work = Path(tempfile.mkdtemp(prefix="bench-backends-"))
    settings = Settings(data_dir=work / "data")
    ctx = Context(settings)
    started = time.perf_counter()
    ctx.indexer.ingest_folder(settings.corpus_dir)
    local_ingest = time.perf_counter() - started
    local = Index.current(settings.data_dir)
    passages = local.stats()["passages"]
    snapshot_mb = sum(f.stat().st_size for f in local.path.iterdir()) / 2**20
    print(f"local ingest of the bundled corpus: {passages} passages in {local_ingest:.0f} s "
          f"({passages / local_ingest:.1f} passages/s); snapshot folder {snapshot_mb:.1f} MB")

    server = start(work / "milvus.db", 19700 + os.getpid() % 200, work / "milvus.log")
    try:
        base_rss = rss_mb(server.pid)
        t = time.perf_counter()
        served = MilvusIndex.serve(local, MilvusSettings(uri=server.uri))
        export = time.perf_counter() - t
        print(f"milvus export of the snapshot: {export:.1f} s; milvus RSS {base_rss:.0f} → {rss_mb(server.pid):.0f} MB "
              f"(pid {server.pid})")
        questions = [json.loads(line)["query"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
        embedded_searcher = ctx.searcher()
        milvus_searcher = Searcher(served, ctx.embedder)
        vectors = [embedded_searcher.vector(q) for q in questions]
        for name, searcher, index in (("embedded", embedded_searcher, local), ("milvus", milvus_searcher, served)):
            whole = timed(lambda q: answer(searcher, q), [(q,) for q in questions], repeat=1)
            dense = timed(lambda v: index.dense(v, 100), [(v,) for v in vectors])
            print(f"{name:9} answer {percentiles(whole)} | dense k=100 {percentiles(dense)}")
        if args.passages:
            scale(local, milvus_client(server.uri), create_collection, vectors, args.passages, server.pid)
    finally:
        server.stop()

    print(f"driver peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def scale(local, client, create_collection, queries, n: int, pid: int) -> None:
    """n synthetic rows: the corpus's vectors repeated with noise, dense kNN on FAISS flat and Milvus."""
    import faiss

    base = local.vectors.index.index.reconstruct_n(0, len(local.vectors))
    rng = np.random.default_rng(0)
    rows = base[rng.integers(0, len(base), n)] + rng.normal(0, 0.02, (n, base.shape[1])).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    flat = faiss.IndexFlatIP(rows.shape[1])
    flat.add(rows)
    name = f"catalyse_bench_{n}"
    if client.has_collection(name):
        client.drop_collection(name)
    before = rss_mb(pid)
    create_collection(client, name, rows.shape[1])
    t = time.perf_counter()
    for at in range(0, n, 2000):
        client.insert(name, [{"vid": at + i, "doc_id": "d", "entry_point": "", "language": "fr", "page_start": 1,
                              "page_end": 1, "levers": [], "sdg": [], "trades": [], "text": "passage synthétique",
                              "data": "{}", "vector": v.tolist()} for i, v in enumerate(rows[at:at + 2000])])
    client.flush(name)
    client.load_collection(name)
    load = time.perf_counter() - t
    f = timed(lambda v: flat.search(v[None, :], 100), [(v,) for v in queries])
    m = timed(lambda v: client.search(name, [v.tolist()], anns_field="vector", limit=100,
                                      search_params={"metric_type": "IP"}), [(v,) for v in queries])
    print(f"{n} passages: faiss flat {percentiles(f)} ({rows.nbytes / n:.0f} B/passage of vectors) | "
          f"milvus {percentiles(m)}, insert+index {load:.0f} s, RSS +{rss_mb(pid) - before:.0f} MB "
          f"({(rss_mb(pid) - before) * 2**20 / n:.0f} B/passage)")
    client.drop_collection(name)


if __name__ == "__main__":
    main()
