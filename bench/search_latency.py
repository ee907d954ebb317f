"""Warm search latency on the bundled corpus, with and without the lexical side.

    python bench/search_latency.py [--data-dir D] [--rounds 5]

Asks the 24 development questions ``rounds`` times each (the query-embedding cache emptied before
every call, so each search embeds its question) and prints p50 / p95 in milliseconds of:
the question's embedding alone, ``search()`` dense only, ``search()`` hybrid (and without the
sentence vectors' re-scoring, to show its cost), and ``answer()``
(hybrid + facets + groups + overview, what the page and the API serve).
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.context import Context  # noqa: E402
from index.indexer import publications  # noqa: E402
from index.snapshots import Snapshots  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402
from search.answer import answer  # noqa: E402
from search.evaluation import load_queries  # noqa: E402
from search.searcher import Searcher, SearchSettings  # noqa: E402

QUERIES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev-queries.jsonl"


def percentiles(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=20)
    return f"p50 {statistics.median(samples):6.1f} ms   p95 {q[18]:6.1f} ms"


def measure(fn, questions, rounds, searcher=None) -> list[float]:
    out = []
    for _ in range(rounds):
        for q in questions:
            if searcher is not None:
                searcher.vectors.clear()
                searcher.answers.clear()
                searcher.lexical._scores.clear()
            t = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t) * 1000)
    return out


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    settings = Settings().with_(data_dir=Path(args.data_dir) if args.data_dir else None)
    ctx = Context(settings)
    if Snapshots(settings.data_dir).current() is None:
        ctx.indexer.add([(p, None) for p in publications(settings.corpus_dir)])
    index = ctx.index()
    questions = [q["query"] for q in load_queries(QUERIES)]
    dense = Searcher(index, ctx.embedder, SearchSettings(lexical=False))
    hybrid = Searcher(index, ctx.embedder)
    passages_only = Searcher(index, ctx.embedder, SearchSettings(sentence_weight=0.0))
    for s in (dense, hybrid, passages_only):  # warm: model, caches, SQLite pages
        for q in questions:
            s.search(q)
            answer(s, q)
    print(f"{index.stats()['passages']} passages, {len(questions)} questions x {args.rounds} rounds, "
          f"query embedding recomputed every call")
    print("query embedding alone   ", percentiles(measure(lambda q: ctx.embedder.queries([q]), questions, args.rounds)))
    print("search() dense only     ", percentiles(measure(dense.search, questions, args.rounds, dense)))
    print("search() hybrid         ", percentiles(measure(hybrid.search, questions, args.rounds, hybrid)))
    print("  … without sentences   ", percentiles(measure(passages_only.search, questions, args.rounds, passages_only)))
    print("answer() hybrid, full   ", percentiles(measure(lambda q: answer(hybrid, q), questions, args.rounds, hybrid)))


if __name__ == "__main__":
    main()
