"""The chunk-agnostic scoring rule of shared/eval/README.md, exactly.

A returned passage matches a gold quote when, both normalised, the passage contains at least
min(8, words in the quote) consecutive words of the quote. Walking the top k in order, a result
that matches a quote not matched yet is relevant (gain 1); each quote counts once.
"""
from __future__ import annotations

import json
import math
import re
import statistics
import unicodedata
from collections import defaultdict
from pathlib import Path

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_QUOTES = str.maketrans({"«": " ", "»": " ", "“": " ", "”": " ", '"': " "})


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def matches(passage: str, quote: str) -> bool:
    """True when ``passage`` holds min(8, n) consecutive words of ``quote`` (both normalised)."""
    words = normalise(quote).split(" ")
    n = min(8, len(words))
    text = normalise(passage)
    return any(" ".join(words[i:i + n]) in text for i in range(len(words) - n + 1))


def score_query(texts: list[str], quotes: list[str], k: int = 10) -> dict[str, float]:
    matched: set[int] = set()
    dcg, first = 0.0, 0
    for rank, text in enumerate(texts[:k], 1):
        hit = {i for i, q in enumerate(quotes) if matches(text, q)}
        if hit - matched:
            dcg += 1 / math.log2(rank + 1)
            first = first or rank
        matched |= hit
    ideal = sum(1 / math.log2(r + 1) for r in range(1, min(len(quotes), k) + 1))
    return {"ndcg": dcg / ideal if ideal else 0.0, "recall": len(matched) / len(quotes) if quotes else 0.0,
            "mrr": 1 / first if first else 0.0}


def load_queries(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(search, queries: list[dict], k: int = 10) -> dict:
    """``search(query_text, k) -> list of passage texts``. Means overall and by kind, and per query."""
    per_query = []
    for q in queries:
        scores = score_query(search(q["query"], k), q["relevant"], k)
        per_query.append({"id": q.get("id"), "kind": q.get("kind", "all"), **scores})
    groups = defaultdict(list)
    for row in per_query:
        groups["overall"].append(row)
        groups[row["kind"]].append(row)
    summary = {name: {m: statistics.fmean(r[m] for r in rows) for m in ("ndcg", "recall", "mrr")} | {"n": len(rows)}
               for name, rows in groups.items()}
    return {"k": k, "summary": summary, "queries": per_query}


def format_report(report: dict) -> str:
    k = report["k"]
    lines = [f"{'':16} {'n':>4} {'nDCG@' + str(k):>9} {'Recall@' + str(k):>10} {'MRR@' + str(k):>8}"]
    for name, s in sorted(report["summary"].items(), key=lambda kv: (kv[0] != "overall", kv[0])):
        lines.append(f"{name:16} {s['n']:>4} {s['ndcg']:>9.3f} {s['recall']:>10.3f} {s['mrr']:>8.3f}")
    return "\n".join(lines)
