"""End-to-end latency of ``GET /api/search`` over loopback, the question-embedding floor beside
it, and the service's memory.

    python bench/http_latency.py --data-dir data            # the bundled corpus (built if missing)
    python bench/http_latency.py --data-dir data/scale-100k # after bench/scale_corpus.py

Starts the real service on the data directory, warms it with 20 questions, then asks N distinct
questions one after the other (default 60; each embeds its question: no cache helps), then one
question repeated 50 times (the answer cache). Then, in this process and on the same questions,
the floor: the questions' engine embedding each question alone, the least any search must spend. Prints p50 /
p95 in ms, their ratio to the floor, the index size, and the service's resident memory (RSS)
idle after those questions, with the heavy libraries it holds.
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

from bench.serving import loaded_libraries, percentile, questions, rss_mb, service  # noqa: E402


def get(base: str, q: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(f"{base}/api/search?{urllib.parse.urlencode({'q': q})}", timeout=60) as r:
        body = r.read()
        assert r.status == 200 and json.loads(body)["results"] is not None
    return (time.perf_counter() - started) * 1000


def floor(asked: list[str]) -> list[float]:
    """Each question embedded alone by the questions' engine, as the service does."""
    import tempfile

    from ingest.embedder import Embedder
    from ingest.settings import Settings, apply_thread_settings

    apply_thread_settings()
    engine = Embedder(Settings(data_dir=Path(tempfile.mkdtemp())), cache=False).engine
    engine.queries(asked[:3])
    out = []
    for q in asked:
        started = time.perf_counter()
        engine.queries([q])
        out.append((time.perf_counter() - started) * 1000)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="data")
    ap.add_argument("--questions", type=int, default=60)
    args = ap.parse_args()
    asked = questions(args.questions + 20)
    with service(args.data_dir) as (base, pid):
        with urllib.request.urlopen(base + "/health") as r:
            stats = json.loads(r.read())["index"]
        for q in asked[args.questions:]:
            get(base, q)
        cold = [get(base, q) for q in asked[: args.questions]]
        repeated = [get(base, asked[0]) for _ in range(50)]
        time.sleep(1)
        rss, peak = rss_mb(pid)
        libraries = loaded_libraries(pid)
    base_ms = floor(asked[: args.questions])
    n, f50 = stats["passages"], statistics.median(base_ms)
    print(f"{n} passages ({'HNSW' if stats.get('approximate') else 'exact'} vectors), {args.questions} distinct questions")
    print(f"GET /api/search   p50 {statistics.median(cold):6.1f} ms   p95 {percentile(cold, 95):6.1f} ms")
    print(f"repeated question p50 {statistics.median(repeated):6.1f} ms   p95 {percentile(repeated, 95):6.1f} ms")
    print(f"floor: question embedding alone p50 {f50:6.1f} ms   p95 {percentile(base_ms, 95):6.1f} ms;   "
          f"search p50 / floor p50 = {statistics.median(cold) / f50:.2f}, the rest of the request "
          f"{statistics.median(cold) - f50:.1f} ms")
    print(f"service RSS idle after {args.questions + 20 + 50} questions: {rss:.0f} MiB (peak {peak:.0f} MiB); "
          f"{rss * 2**20 / n:,.0f} bytes per passage, model included; loaded: {', '.join(libraries) or 'none of'} "
          f"(of torch, spacy, tokenizers)")


if __name__ == "__main__":
    main()
