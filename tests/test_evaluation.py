"""The scoring rule of shared/eval/README.md."""
import math

from search.evaluation import matches, normalise, score_query


def test_normalisation():
    assert normalise("L’ODD « 17 »\n  en   pratique") == "l'odd 17 en pratique"


def test_match_needs_eight_consecutive_words_or_the_whole_short_quote():
    quote = "un immeuble au centre-ville d’Orléans, un tiers-lieu en autogestion"
    assert matches("On a donc un immeuble au centre-ville d'Orléans, un tiers-lieu en", quote)
    assert not matches("On a donc un immeuble au centre-ville d'Orléans, un tiers-lieu", quote)
    assert not matches("un immeuble au centre-ville de Tours, un tiers-lieu en autogestion", quote)
    assert matches("le risque « ressourciste » existe", "le risque ressourciste")


def test_each_quote_counts_once_and_ideal_dcg():
    quotes = ["alpha beta gamma delta epsilon zeta eta theta", "un deux trois quatre cinq six sept huit"]
    results = ["x alpha beta gamma delta epsilon zeta eta theta", "alpha beta gamma delta epsilon zeta eta theta",
               "un deux trois quatre cinq six sept huit"]
    s = score_query(results, quotes)
    dcg = 1 + 1 / math.log2(4)
    assert math.isclose(s["ndcg"], dcg / (1 + 1 / math.log2(3)))
    assert s["recall"] == 1 and s["mrr"] == 1
    assert score_query(["rien"], quotes) == {"ndcg": 0.0, "recall": 0.0, "mrr": 0.0}


def test_v2_a_result_holding_two_quotes_earns_both():
    quotes = ["alpha beta gamma delta epsilon zeta eta theta", "un deux trois quatre cinq six sept huit"]
    both = "alpha beta gamma delta epsilon zeta eta theta, puis un deux trois quatre cinq six sept huit"
    assert score_query([both], quotes)["ndcg"] == 1.0          # v2: 2 / (1 + 1/log2 3), capped at 1
    assert math.isclose(score_query([both], quotes, rule="v1")["ndcg"], 1 / (1 + 1 / math.log2(3)))  # 0.61
    late = score_query(["rien", both], quotes)
    assert math.isclose(late["ndcg"], (2 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert late["recall"] == 1 and late["mrr"] == 0.5
