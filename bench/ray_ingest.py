"""Local vs Ray ingestion throughput of the bundled corpus, on this machine: a local ingest (one process,
the model's threads) against `catalyse ingest --ray`'s path on a Ray head node with N workers
(`ray start --head` on loopback, scripts/ray_local.py — what tests/test_ray_ingest.py runs on).

    flock /work/heavy.lock python bench/ray_ingest.py [--runs 3] [--workers 2]

Each run writes a snapshot of its own (the indexer's whole `add`: read, cut, tag, embed, write) with no
embedding cache, so every run embeds everything. Warm figures: the model is loaded before the local
runs, and before the Ray runs every worker has loaded it and ingested one publication (that start-up
is timed apart). Prints each run, then medians in passages/s. Needs the extra: pip install -e '.[ray]'.
Figures: docs/scaling.md (« Distributed ingestion on Ray »)."""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.serving import free_port  # noqa: E402
from scripts import ray_local  # noqa: E402

ray_local.driver_environment()      # before ray is imported: loopback only, token auth


def timed_adds(make_indexer, items, runs: int, label: str) -> tuple[list[float], int]:
    times, passages = [], 0
    for i in range(runs):
        indexer = make_indexer(i)
        started = time.perf_counter()
        changes = indexer.add(items)
        times.append(time.perf_counter() - started)
        assert all(c.status == "added" for c in changes), changes
        passages = sum(c.passages for c in changes)
        print(f"  {label} run {i + 1}: {passages} passages in {times[-1]:.1f} s ({passages / times[-1]:.2f} passages/s)",
              flush=True)
    return times, passages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from index.indexer import Indexer, publications
    from ingest.distributed import RayIngestor
    from ingest.embedder import Embedder
    from ingest.pipeline import Ingestor
    from ingest.settings import Settings, apply_thread_settings

    apply_thread_settings()
    work = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    settings = Settings(data_dir=work / "data")
    files = publications(settings.corpus_dir)
    items = [(p, None) for p in files]
    ingestor = Ingestor(Embedder(settings, cache=False))
    smallest = min(files, key=lambda p: p.stat().st_size)
    ingestor.run(smallest)          # warm: model, spaCy and the tagger's label vectors loaded
    print(f"bundled corpus: {len(files)} publications; {os.cpu_count()} cores; torch threads "
          f"{ingestor.embedder.threads}", flush=True)
    local, passages = timed_adds(lambda i: Indexer(work / f"local-{i}", ingestor), items, args.runs, "local")

    pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    head = ray_local.start(free_port(), num_cpus=args.workers, env={"PYTHONPATH": pythonpath})
    try:
        ray_local.join(head)
        import ray

        ray_ingestor = RayIngestor(ingestor, workers=args.workers)
        started = time.perf_counter()
        for _ in ray_ingestor.run_many([(smallest, None)] * args.workers):     # one publication per worker
            pass
        startup = time.perf_counter() - started
        print(f"  ray start-up ({args.workers} workers load the model, ingest {smallest.name} each): {startup:.1f} s",
              flush=True)
        distributed, ray_passages = timed_adds(lambda i: Indexer(work / f"ray-{i}", ray_ingestor), items, args.runs,
                                               f"ray ({args.workers} workers)")
        ray.shutdown()
    finally:
        left = head.stop()
    assert ray_passages == passages, (ray_passages, passages)
    lo, di = statistics.median(local), statistics.median(distributed)
    print(f"\n{passages} passages, medians of {args.runs} runs:")
    print(f"  local                 {lo:6.1f} s  {passages / lo:5.2f} passages/s")
    print(f"  ray, {args.workers} local workers  {di:6.1f} s  {passages / di:5.2f} passages/s "
          f"(×{lo / di:.2f}; start-up {startup:.0f} s apart)")
    if left:
        print(f"  (ray processes left after the head stopped, stopped by pid: {left})")


if __name__ == "__main__":
    main()
