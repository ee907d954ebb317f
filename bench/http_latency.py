"""End-to-end latency of ``GET /api/search`` over loopback, and the service's memory.

    python bench/http_latency.py --data-dir data            # the bundled corpus (built if missing)
    python bench/http_latency.py --data-dir data/scale-100k # after bench/scale_corpus.py

Starts the real service on the data directory, warms it with 20 questions, then asks N distinct
questions one after the other (each embeds its question: no cache helps), then one question
repeated 50 times (the answer cache). Prints p50 / p95 in ms, the index size, and the service's
resident memory (RSS) with bytes per passage.
"""
import argparse
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serving import percentile, questions, rss_mb, service  # noqa: E402


def get(base: str, q: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(f"{base}/api/search?{urllib.parse.urlencode({'q': q})}", timeout=60) as r:
        body = r.read()
        assert r.status == 200 and json.loads(body)["results"] is not None
    return (time.perf_counter() - started) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="data")
    ap.add_argument("--questions", type=int, default=200)
    args = ap.parse_args()
    asked = questions(args.questions + 20)
    with service(args.data_dir) as (base, pid):
        with urllib.request.urlopen(base + "/health") as r:
            stats = json.loads(r.read())["index"]
        for q in asked[args.questions:]:
            get(base, q)
        cold = [get(base, q) for q in asked[: args.questions]]
        repeated = [get(base, asked[0]) for _ in range(50)]
        rss, peak = rss_mb(pid)
    n = stats["passages"]
    print(f"{n} passages ({'HNSW' if stats.get('approximate') else 'exact'} vectors), {args.questions} distinct questions")
    print(f"GET /api/search   p50 {statistics.median(cold):6.1f} ms   p95 {percentile(cold, 95):6.1f} ms")
    print(f"repeated question p50 {statistics.median(repeated):6.1f} ms   p95 {percentile(repeated, 95):6.1f} ms")
    print(f"service RSS {rss:.0f} MiB (peak {peak:.0f} MiB); {rss * 2**20 / n:,.0f} bytes per passage, model included")


if __name__ == "__main__":
    main()
