"""Quality is a regression test: retrieval (v2 rule), the overview and the nonsense check on both
development sets, with the figures of tests/data/expected_quality.json as floors — measured the
way ``catalyse eval`` measures them, through ``answer`` (what the page, the API and the CLI show)."""
import json
from pathlib import Path

import pytest

from conftest import SHARED
from search.evaluation import ask_engine, evaluate, load_queries, matches
from search.searcher import Searcher, SearchSettings

EXPECTED = json.loads((Path(__file__).parent / "data" / "expected_quality.json").read_text())


@pytest.fixture(scope="module")
def reports(searcher):
    ask = ask_engine(searcher)
    return {name: evaluate(ask, load_queries(SHARED / "eval" / name))
            for name in ("dev-queries.jsonl", "dev-queries-2.jsonl", "nonsense-queries.jsonl")}


@pytest.mark.parametrize("name", ["dev-queries.jsonl", "dev-queries-2.jsonl"])
def test_development_questions_keep_their_quality(reports, name):
    expected = EXPECTED[name]
    summary = reports[name]["summary"]
    for metric in ("ndcg", "recall", "mrr", "overview", "overview_items"):
        assert summary["overall"][metric] >= expected[metric] - expected["tolerance"], (metric, summary["overall"])
    for kind, floor in expected["by_kind_ndcg"].items():
        assert summary[kind]["ndcg"] >= floor - expected["tolerance"], (kind, summary[kind])


def test_nonsense_questions_get_nothing(reports):
    nonsense = reports["nonsense-queries.jsonl"]["nonsense"]
    assert nonsense["passed"] >= EXPECTED["nonsense-queries.jsonl"]["passed"], nonsense["queries"]


def test_no_development_question_loses_its_answer_to_the_relevance_floor(searcher):
    """Every gold passage the ranking shows in its top 10 without the floor is still shown with it."""
    unfloored = Searcher(searcher.index, searcher.embedder, SearchSettings(relevance=None))
    for name in ("dev-queries.jsonl", "dev-queries-2.jsonl"):
        for q in load_queries(SHARED / "eval" / name):
            def gold(hits):
                return {h.passage.id for h in hits if any(matches(h.passage.text, g) for g in q["relevant"])}
            assert gold(unfloored.search(q["query"]).hits) <= gold(searcher.search(q["query"]).hits), q["id"]
