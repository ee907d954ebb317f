"""How often the overview holds the answer — its quality, measured like retrieval's.

    python bench/overview_eval.py [--data-dir data/bundled] [--piaf-dir data/piaf] [--sample 500]

- Development questions over the bundled corpus: the share whose overview sentences include one
  matching a gold quote (the scoring rule of shared/eval/README.md: 8 consecutive words).
- PIAF (its index as built by bench/piaf_eval.py; skipped when missing): the share of the sampled
  questions (seed 0) whose overview holds a sentence containing the answer span (ranked without
  the relevance floor, whose background is drawn from PIAF itself).
For comparison, the same shares for the first sentence of each of the top results (what a reader
sees without an overview).
"""
import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.context import Context  # noqa: E402
from bench.piaf_eval import PIAF  # noqa: E402
from ingest.sentences import sentence_units  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402
from search.answer import answer  # noqa: E402
from search.evaluation import load_queries, matches, normalise  # noqa: E402
from search.searcher import Searcher, SearchSettings  # noqa: E402

QUERIES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev-queries.jsonl"


def shares(searcher, questions, holds) -> tuple[float, float]:
    """(share answered by the overview, share answered by the top results' first sentences)."""
    by_overview = by_leads = 0
    for question, gold in questions:
        result = answer(searcher, question)
        shown = [s["text"] for s in (result["overview"] or {"sentences": []})["sentences"]]
        leads = [(sentence_units(r["text"]) or [""])[0] for r in result["results"][:len(shown)]]
        by_overview += any(holds(s, gold) for s in shown)
        by_leads += any(holds(s, gold) for s in leads)
    return by_overview / len(questions), by_leads / len(questions)


def piaf_questions(sample: int) -> list[tuple[str, str]]:
    data = json.loads(PIAF.read_text(encoding="utf-8"))["data"]
    qas = [(qa["question"], qa["answers"][0]["text"]) for article in data for para in article["paragraphs"]
           for qa in para["qas"]]
    return random.Random(0).sample(qas, sample)


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="data/bundled")
    ap.add_argument("--piaf-dir", default="data/piaf")
    ap.add_argument("--sample", type=int, default=500)
    args = ap.parse_args()
    ctx = Context(Settings().with_(data_dir=Path(args.data_dir)))
    dev = [(q["query"], q["relevant"]) for q in load_queries(QUERIES)]
    overview, leads = shares(ctx.searcher(), dev, lambda s, quotes: any(matches(s, q) for q in quotes))
    print(f"dev ({len(dev)} questions): overview holds a gold quote {overview:.3f}; "
          f"first sentences of as many top results {leads:.3f}")
    if (Path(args.piaf_dir) / "CURRENT").exists():
        piaf = Context(Settings().with_(data_dir=Path(args.piaf_dir)), embedder=ctx.embedder)
        # without the relevance floor, as bench/piaf_eval.py: the floor's background is drawn from PIAF itself
        searcher = Searcher(piaf.index(), ctx.embedder, SearchSettings(relevance=None))
        overview, leads = shares(searcher, piaf_questions(args.sample),
                                 lambda s, span: normalise(span) in normalise(s))
        print(f"PIAF ({args.sample} questions, seed 0): overview holds the answer span {overview:.3f}; "
              f"first sentences of as many top results {leads:.3f}")


if __name__ == "__main__":
    main()
