"""How deep ``Searcher.hits`` reads into a question's ranking: its pool (``POOL_FACTOR`` × k, at
least ``POOL_MIN``) and its store reads (batches of at least ``READ_BATCH_MIN`` passages).

    python bench/hits_pool.py [--data-dir D] [--eval-dir ../shared/eval]

For every question of the three evaluation sets, unfiltered and within each entry point (what the
groups ask), and for k of 3 (a group), 10 (the API's default) and 20: the deepest rank of a kept
hit, how many hit lists an unbounded pool would change, and how many passages and store queries
one ``hits`` call costs.

Last run (2026-12-03, the bundled corpus installed from seed/, 84 questions, 321 non-empty rankings):

    k  3 (pool 12): deepest kept rank with an unbounded pool: median 2, max 2, beyond the pool in 0/321;
                    hit lists changed by the bound: 0/321; per call: 1.0 store queries, 4.9 passages read (max 6)
    k 10 (pool 40): median 9, max 21, beyond the pool 0/321; changed 0/321; 1.2 queries, 9.1 passages (max 30)
    k 20 (pool 80): median 12, max 35, beyond the pool 0/321; changed 0/321; 1.3 queries, 16.7 passages (max 40)

So the pool bounds nothing these questions need (the deepest kept hit sits at half of it), and the
batches read about one store query per call, a quarter of the pool at k 10.
"""
import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import search.searcher as searcher_module  # noqa: E402
from api.context import Context  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402
from search.evaluation import load_queries  # noqa: E402
from search.filters import Filters  # noqa: E402

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SETS = ("dev-queries.jsonl", "dev-queries-2.jsonl", "nonsense-queries.jsonl")
ENTRY_POINTS = ("temoignage", "outil", "methode", "eclairage")


class CountingStore:
    """The store, counting what ``hits`` reads from it."""

    def __init__(self, store):
        self.store, self.queries, self.passages_read = store, 0, 0

    def passages(self, vids):
        self.queries += 1
        self.passages_read += len(vids)
        return self.store.passages(vids)

    def __getattr__(self, name):
        return getattr(self.store, name)


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--eval-dir", type=Path, default=EVAL)
    args = ap.parse_args()
    searcher = Context(Settings().with_(data_dir=args.data_dir)).searcher()
    questions = [q["query"] for name in SETS for q in load_queries(args.eval_dir / name)]
    rankings = []
    for q in questions:
        spelling, vector = searcher.spell(q), searcher.vector(q)
        for scope in [Filters()] + [Filters(entry_point=[e]) for e in ENTRY_POINTS]:
            ranked, _ = searcher.rank(vector, spelling, scope)
            if ranked:
                rankings.append(ranked)
    counting = CountingStore(searcher.index.store)
    searcher.index.store = counting
    print(f"{len(questions)} questions, {len(rankings)} non-empty rankings (unfiltered and per entry point); "
          f"POOL_FACTOR {searcher_module.POOL_FACTOR}, POOL_MIN {searcher_module.POOL_MIN}, "
          f"READ_BATCH_MIN {searcher_module.READ_BATCH_MIN}")
    for k in (3, 10, 20):
        deepest, changed, reads, read = [], 0, [], []
        for ranked in rankings:
            position = {v: i for i, (v, _) in enumerate(ranked)}
            counting.queries = counting.passages_read = 0
            bounded = [h.vid for h in searcher.hits(ranked, k)]
            reads.append(counting.queries)
            read.append(counting.passages_read)
            factor, floor = searcher_module.POOL_FACTOR, searcher_module.POOL_MIN
            searcher_module.POOL_FACTOR, searcher_module.POOL_MIN = 10 ** 6, 10 ** 6   # the whole ranking
            try:
                unbounded = [h.vid for h in searcher.hits(ranked, k)]
            finally:
                searcher_module.POOL_FACTOR, searcher_module.POOL_MIN = factor, floor
            changed += bounded != unbounded
            deepest.append(max(position[v] for v in unbounded) if unbounded else 0)
        pool = max(k * searcher_module.POOL_FACTOR, searcher_module.POOL_MIN)
        print(f"k {k:2d} (pool {pool:2d}): deepest kept rank with an unbounded pool: median "
              f"{statistics.median(deepest):.0f}, max {max(deepest)}, beyond the pool in "
              f"{sum(d >= pool for d in deepest)}/{len(deepest)}; hit lists changed by the bound: "
              f"{changed}/{len(rankings)}; per call: {statistics.mean(reads):.1f} store queries, "
              f"{statistics.mean(read):.1f} passages read (max {max(read)})")


if __name__ == "__main__":
    main()
