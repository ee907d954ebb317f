"""Calibrate the relevance floor (search/relevance.py) on both development sets and the nonsense
questions, and print what each setting does.

    python bench/relevance_floor.py [--data-dir data/bundled]

For each (lexical weight, gate, floor) of a small grid: how many nonsense questions get nothing
(target: at least 11 of 12); how many development questions keep every gold passage that the
ranking shows in its top 10 (target: all, « no question loses its answer »); and the median number
of passages counted relevant for a development question (the honest ``total``).

Last run (bundled corpus, 349 passages; lexical weight, gate, floor → nonsense emptied, dev questions
keeping their shown answers, median relevant), a question naming what no publication holds (« Rennes »)
gated at ``absent_gate`` (0.02) in every row: 0.08 / 0.012 / 0.005 → 11/12, 72/72, 50 (kept; 10/12 before
the absent-name gate); 0.08 / 0.0156 / 0.005 → 12/12, 71/72 (e37 loses its answer), 50; 0 / 0.012 / 0.005
(no lexical part) → 69/72 (« Pierre Mauroy », a name the model does not know, among the losses), 32;
0.12 / 0.012 / 0.005 → 11/12, 72/72, 60. A window under the best
passage (0.06 / 0.04 / 0.02) brings the median to 12 / 4 / 2 but drops list items (e26, e41, then 12
questions): not kept, so a question on the corpus's own subject (« exemples d'alliances entre entreprises
et associations ») still counts most of the proceedings (275 passages).
"""
import argparse
import statistics
import sys
from itertools import product
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.context import Context  # noqa: E402
from index.analysis import analyse  # noqa: E402
from ingest.settings import Settings  # noqa: E402
from search.evaluation import load_queries, matches  # noqa: E402
from search.relevance import Background, Relevance, RelevanceSettings  # noqa: E402
from search.searcher import SearchSettings  # noqa: E402

ABSENT_GATE = RelevanceSettings().absent_gate   # a question naming what no publication holds

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SETS = ("dev-queries.jsonl", "dev-queries-2.jsonl", "nonsense-queries.jsonl")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="data/bundled")
    args = ap.parse_args()
    ctx = Context(Settings().with_(data_dir=Path(args.data_dir)))
    searcher = ctx.searcher()
    searcher.settings = SearchSettings(relevance=None)        # the ranking alone, before any floor
    relevance = Relevance(searcher.index, Background(ctx.embedder))
    columns = searcher.index.columns
    cases = []
    for name in SETS:
        for q in load_queries(EVAL / name):
            result = searcher.search(q["query"], 10)
            spelling = result.spelling
            stems = analyse(spelling.lexical_query)
            _, matched = searcher.lexical.search(spelling.lexical_query, 1)
            judged = relevance.judge(searcher.vector(q["query"]), stems, matched)
            shown = [int(r) for r, h in zip(columns.rows_of([h.vid for h in result.hits]), result.hits)
                     if any(matches(h.passage.text, g) for g in q.get("relevant", []))]
            cases.append((name, q, judged, set(shown), bool(stems), bool(spelling.absent)))
    print(f"{'weight':>6} {'gate':>6} {'floor':>6} {'window':>6} | nonsense empty | dev keep all shown gold | median relevant (dev)")
    grid = [(w, g, f, 1.0) for w, g, f in product((0.0, 0.03, 0.05, 0.08, 0.12), (0.009, 0.012, 0.0156),
                                                  (-0.005, 0.0, 0.005, 0.01))]
    grid += [(0.08, 0.012, 0.005, window) for window in (0.06, 0.05, 0.04, 0.03, 0.02)]
    for weight, gate, floor, window in grid:
        empty, kept, counts, lost = 0, 0, [], []
        for name, q, judged, shown, has_terms, absent in cases:
            rel = judged.relevance(weight)
            passes = has_terms and judged.passes(max(gate, ABSENT_GATE) if absent else gate)
            cut = max(floor, float(rel.max()) - window) if len(rel) else floor
            relevant = set(judged.rows[rel >= cut].tolist()) if passes else set()
            if name.startswith("nonsense"):
                empty += not relevant
                continue
            counts.append(len(relevant))
            if shown <= relevant:
                kept += 1
            else:
                lost.append(q["id"])
        n_dev = sum(1 for c in cases if not c[0].startswith("nonsense"))
        print(f"{weight:>6} {gate:>6} {floor:>6} {window:>6} | {empty:>2}/12 | {kept:>2}/{n_dev} {' '.join(lost)[:60]:60} | "
              f"{statistics.median(counts):.0f} (max {max(counts)})")


if __name__ == "__main__":
    main()
