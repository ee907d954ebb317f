"""Where a search's time goes besides the question's embedding: ``search_payload`` (``answer()``
with snippets and links, what GET /api/search serves) and its JSON encoding, in process.

    python bench/answer_profile.py --data-dir data [--questions 60] [--top 25]

The questions' vectors are computed first (so the embedding, measured by bench/http_latency.py's
floor, is out of the way), the answer caches emptied; then each question is answered once under
cProfile. Prints p50 / p95 of the rest of the request per question, then the profile (cumulative).
"""
import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.context import Context  # noqa: E402
from api.render import search_payload  # noqa: E402
from bench.serving import percentile, questions  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402
from search.filters import Filters  # noqa: E402


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="data")
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    searcher = Context(Settings(data_dir=Path(args.data_dir))).searcher().warm()
    asked = questions(args.questions)
    for q in asked:
        searcher.vector(q)

    def forget() -> None:
        """Empty what a new question cannot find cached (its vector aside)."""
        searcher.answers.clear()
        searcher.relevance._masks.clear()
        searcher.lexical._scores.clear()

    def one(q: str) -> float:
        started = time.perf_counter()
        json.dumps(search_payload(searcher, q, 10, Filters()), ensure_ascii=False)
        return (time.perf_counter() - started) * 1000

    forget()
    plain = [one(q) for q in asked]          # without the profiler's overhead
    forget()
    profile = cProfile.Profile()
    profile.enable()
    for q in asked:
        one(q)
    profile.disable()
    print(f"{len(asked)} distinct questions, vectors cached: payload + JSON p50 {statistics.median(plain):.2f} ms, "
          f"p95 {percentile(plain, 95):.2f} ms")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
