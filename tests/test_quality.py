"""Retrieval quality is a regression test: the development questions must keep their figures
(tests/data/expected_quality.json) within a small tolerance."""
import json
from pathlib import Path

from conftest import SHARED
from search.evaluation import evaluate, load_queries

EXPECTED = json.loads((Path(__file__).parent / "data" / "expected_quality.json").read_text())


def test_development_questions_keep_their_quality(searcher):
    expected = EXPECTED["dev-queries.jsonl"]
    report = evaluate(lambda q, k: [h.passage.text for h in searcher.search(q, k=k).hits],
                      load_queries(SHARED / "eval" / "dev-queries.jsonl"))
    overall = report["summary"]["overall"]
    for metric in ("ndcg", "recall", "mrr"):
        assert overall[metric] >= expected[metric] - expected["tolerance"], (metric, overall)
    assert min(s["ndcg"] for s in report["summary"].values()) >= 0.75, report["summary"]


def test_overviews_keep_holding_the_answers(searcher):
    """The overview is measured like retrieval: the share of development questions whose overview
    sentences hold a gold quote (the same 8-word rule)."""
    from search.answer import answer
    from search.evaluation import matches

    expected = EXPECTED["overview-dev"]
    queries = load_queries(SHARED / "eval" / "dev-queries.jsonl")
    answered = [any(matches(s["text"], quote) for s in answer(searcher, q["query"])["overview"]["sentences"]
                    for quote in q["relevant"]) for q in queries]
    assert sum(answered) / len(answered) >= expected["answered"] - expected["tolerance"], answered
