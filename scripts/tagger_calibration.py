"""Measure the zero-shot tagger on a labelled sample and choose each taxonomy's threshold
(``scripts/calibrate_tagger.py``; ``tests/test_tagger.py`` holds the measure to floors).

The sample (tests/data/tagging_sample.jsonl) names passages of the proceedings by a quote and
gives their expected levers, ODD, trades and entry point; ``null`` leaves a facet unjudged.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from ingest.document import Passage
from ingest.tagger import MULTI, Tagger

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "tagging_sample.jsonl"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def load_sample(path: Path = SAMPLE) -> list[dict]:
    return [json.loads(l) for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]


def locate(sample: list[dict], passages: list[Passage], vectors: np.ndarray) -> list[tuple[dict, Passage, np.ndarray]]:
    """Each labelled item with the one passage holding its quote."""
    out = []
    for item in sample:
        found = [i for i, p in enumerate(passages) if _flat(item["quote"]) in _flat(p.text)]
        if len(found) != 1:
            raise ValueError(f"{len(found)} passages hold the quote {item['quote']!r}")
        out.append((item, passages[found[0]], vectors[found[0]]))
    return out


def quality(tagger: Tagger, located, thresholds: dict[str, float] | None = None) -> dict[str, dict]:
    """Micro precision and recall per taxonomy, and accuracy of the entry point."""
    thresholds = thresholds or tagger.thresholds
    report = {}
    for facet in MULTI:
        tp = fp = fn = 0
        for item, passage, vector in located:
            if item.get(facet) is None:
                continue
            old = tagger.thresholds
            tagger.thresholds = {**old, facet: thresholds[facet]}
            got = {str(l.id) for l in tagger.facet_labels(passage.text, vector, facet)}
            tagger.thresholds = old
            want = {str(x) for x in item[facet]}
            tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
        report[facet] = {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
                         "threshold": thresholds[facet]}
    judged = [(item, p, v) for item, p, v in located if item.get("entry_point")]
    right = sum(tagger.entry_point(p.text, v, p.section_kind).id == item["entry_point"] for item, p, v in judged)
    report["entry_points"] = {"accuracy": right / len(judged) if judged else 1.0}
    return report


def calibrate(tagger: Tagger, located) -> dict[str, float]:
    """Per taxonomy, the threshold with the best F1 on the sample."""
    best = {}
    for facet in MULTI:
        def f1(t):
            r = quality(tagger, located, {**tagger.thresholds, facet: t})[facet]
            p, rc = r["precision"], r["recall"]
            return 2 * p * rc / (p + rc) if p + rc else 0.0
        grid = [round(x, 2) for x in np.arange(0.30, 0.96, 0.02)]
        best[facet] = max(grid, key=lambda t: (f1(t), t))
    return best
