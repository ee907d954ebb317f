"""The chunk-agnostic scoring rule of shared/eval/README.md, exactly (v2, quote level).

A returned passage matches a gold quote when, both normalised, the passage contains at least
min(8, words in the quote) consecutive words of the quote. Each gold quote is a relevant item,
found at the rank of the first result that holds it; a result holding several quotes earns each
of them (v2). The earlier rule (v1: a result earns at most one quote) is kept as ``rule="v1"``
only to compare with figures of earlier notes.
"""
from __future__ import annotations

import json
import math
import re
import statistics
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
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


RULES = ("v2", "v1")


def score_query(texts: list[str], quotes: list[str], k: int = 10, rule: str = "v2") -> dict[str, float]:
    matched: set[int] = set()
    dcg, first = 0.0, 0
    for rank, text in enumerate(texts[:k], 1):
        new = {i for i, q in enumerate(quotes) if matches(text, q)} - matched
        if new:
            dcg += (len(new) if rule == "v2" else 1) / math.log2(rank + 1)
            first = first or rank
        matched |= new
    ideal = sum(1 / math.log2(r + 1) for r in range(1, min(len(quotes), k) + 1))
    return {"ndcg": min(1.0, dcg / ideal) if ideal else 0.0, "recall": len(matched) / len(quotes) if quotes else 0.0,
            "mrr": 1 / first if first else 0.0}


def load_queries(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Answered:
    """What the engine showed for a question: the ranked passage texts, the overview's sentences
    (empty when it shows none) and how many passages it said were relevant."""
    texts: list[str]
    overview: list[str] = field(default_factory=list)
    total: int | None = None


def ask_engine(searcher):
    """``ask(query, k) -> Answered`` through ``answer``: what the page, the API and the CLI show."""
    from .answer import answer

    def ask(query: str, k: int) -> Answered:
        shown = answer(searcher, query, k=k)
        overview = shown["overview"]["sentences"] if shown["overview"] else []
        return Answered([r["text"] for r in shown["results"]], [s["text"] for s in overview], shown["total"])
    return ask


def overview_holds(sentences: list[str], quote: str) -> bool:
    """The overview holds a quote when its sentences, joined, do (shared/eval/README.md)."""
    return bool(sentences) and matches(" ".join(sentences), quote)


def evaluate(ask, queries: list[dict], k: int = 10, rule: str = "v2") -> dict:
    """``ask(query_text, k) -> Answered`` (or a plain list of passage texts).

    Questions with gold quotes are scored for retrieval (means overall and by question type) and for the
    overview (share of questions whose overview holds a quote; for ``list`` questions, the share
    of the items it holds). Questions without any (``nonsense-queries.jsonl``) pass the nonsense
    check when the engine finds nothing: no passage counted and no overview."""
    per_query, nonsense = [], []
    for q in queries:
        shown = ask(q["query"], k)
        shown = shown if isinstance(shown, Answered) else Answered(list(shown))
        quotes = q.get("relevant") or []
        if not quotes:
            nonsense.append({"id": q.get("id"), "query": q["query"], "total": shown.total,
                             "overview": bool(shown.overview),
                             "passed": shown.total == 0 and not shown.overview})
            continue
        held = [overview_holds(shown.overview, quote) for quote in quotes]
        per_query.append({"id": q.get("id"), "question_type": q.get("kind", "all"), **score_query(shown.texts, quotes, k, rule),
                          "overview": float(any(held)), "overview_items": sum(held) / len(held)})
    groups = defaultdict(list)
    for row in per_query:
        groups["overall"].append(row)
        groups[row["question_type"]].append(row)
    metrics = ("ndcg", "recall", "mrr", "overview", "overview_items")
    summary = {name: {m: statistics.fmean(r[m] for r in rows) for m in metrics} | {"n": len(rows)}
               for name, rows in groups.items()}
    report = {"k": k, "rule": rule, "summary": summary, "queries": per_query}
    if nonsense:
        report["nonsense"] = {"n": len(nonsense), "passed": sum(r["passed"] for r in nonsense), "queries": nonsense}
    return report


def format_report(report: dict) -> str:
    k = report["k"]
    lines = []
    if report["summary"]:
        lines.append(f"{'':16} {'n':>4} {'nDCG@' + str(k):>9} {'Recall@' + str(k):>10} {'MRR@' + str(k):>8} "
                     f"{'overview':>9} {'items':>6}   (rule {report['rule']})")
        for name, s in sorted(report["summary"].items(), key=lambda kv: (kv[0] != "overall", kv[0])):
            lines.append(f"{name:16} {s['n']:>4} {s['ndcg']:>9.3f} {s['recall']:>10.3f} {s['mrr']:>8.3f} "
                         f"{s['overview']:>9.3f} {s['overview_items']:>6.3f}")
    if "nonsense" in report:
        ns = report["nonsense"]
        lines.append(f"nonsense check: {ns['passed']}/{ns['n']} questions get no result and no overview")
    return "\n".join(lines)
