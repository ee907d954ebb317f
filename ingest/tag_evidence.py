"""Labels judged one by one by a model shared across a facet's labels (ODD 1–16 and trades).

These labels have few labelled passages each (2 to 56 of the 284 proceedings passages): too few
for a model per label, which learns the topics of the sections it saw (grouped cross-validation:
ODD 1–16 precision/recall 0.30/0.30 with one model per label). One logistic model shared by every
label of the facet learns instead how much evidence makes a label. For each (passage, label) pair
it reads features that mean the same thing for every label:
- the label's glossary terms found in the passage: how many distinct ones, log of their occurrences;
- the best similarity between a sentence of the passage and the label's examples — the words that
  carried the label in labelled passages — then the same against the label's description and,
  for an ODD, against its official targets; each with its rank among the facet's labels and its
  distance to their mean (a sentence close to every label says nothing about one).
What it learns (how strong and how specific evidence must be) is not tied to one label's topic, so
it holds for labels with few examples and for another corpus's passages.

A training passage is never compared with examples of its own group (section), so the model learns
from evidence found elsewhere, as it will meet it in a new publication.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .taxonomy import fold, sdg_targets, taxonomy

PAIR_FACETS = ("sdg", "trades")
EXAMPLE, DESCRIPTION, TARGET = 0, 1, 2       # where a prototype comes from


def pair_label_ids(facet: str) -> list:
    """The labels the shared model judges: ODD 17 stays with the partnership rule (tag_model.py)."""
    return [t.id for t in taxonomy()[facet] if not (facet == "sdg" and t.id == 17)]


@dataclass
class Prototypes:
    """Texts that stand for a facet's labels, embedded as passages' sentences are."""

    vectors: np.ndarray        # m × dim
    labels: np.ndarray         # m: position of the label in ``pair_label_ids(facet)``
    sources: np.ndarray        # m: EXAMPLE, DESCRIPTION or TARGET
    groups: np.ndarray         # m: the group of an example's passage, "" otherwise

    def subset(self, keep: np.ndarray) -> "Prototypes":
        return Prototypes(self.vectors[keep], self.labels[keep], self.sources[keep], self.groups[keep])


def reference_texts(facet: str) -> list[tuple[int, int, str]]:
    """(label position, source, text) of the descriptions and official targets."""
    out = []
    terms = {t.id: t for t in taxonomy()[facet]}
    for j, id_ in enumerate(pair_label_ids(facet)):
        out.append((j, DESCRIPTION, f"{terms[id_].label} : {terms[id_].description}"))
        if facet == "sdg":
            out += [(j, TARGET, t.title) for t in sdg_targets(id_)]
    return out


def term_counts(text: str, patterns: list[list[tuple[str, str, object]]]) -> np.ndarray:
    """labels × 2: distinct glossary terms found, log(1 + occurrences)."""
    folded = fold(text)
    out = np.zeros((len(patterns), 2), np.float32)
    for j, label in enumerate(patterns):
        counts = [len(pat.findall(folded)) for _, plain, pat in label if plain in folded]
        out[j] = (sum(c > 0 for c in counts), np.log1p(sum(counts)))
    return out


def _rank(best: np.ndarray) -> np.ndarray:
    """0 for the label nearest the passage, towards 1 for the farthest."""
    return np.argsort(np.argsort(-best, axis=1), axis=1) / best.shape[1]


def pair_features(units: list[np.ndarray], counts: np.ndarray, prototypes: Prototypes,
                  groups: np.ndarray | None = None) -> np.ndarray:
    """passages × labels × features. ``units[i]``: passage i's sentence vectors; ``counts``:
    passages × labels × 2 (``term_counts``); ``groups``: the passages' groups, whose own examples
    are then left out."""
    n, n_labels = counts.shape[:2]
    parts = [counts[:, :, 0], counts[:, :, 1]]
    for source in (EXAMPLE, DESCRIPTION, TARGET):
        mine = prototypes.sources == source
        if not mine.any():
            continue
        best = np.full((n, n_labels), -1.0, np.float32)
        for i, vectors in enumerate(units):
            sims = (np.atleast_2d(vectors) @ prototypes.vectors[mine].T).max(axis=0)
            if groups is not None:
                sims = np.where(prototypes.groups[mine] == groups[i], -1.0, sims)
            np.maximum.at(best[i], prototypes.labels[mine], sims)
        # a label without a prototype of this source counts as the passage's farthest label
        missing = best < -0.5
        floor = np.where(missing, np.inf, best).min(axis=1, keepdims=True)
        best = np.where(missing, np.where(np.isfinite(floor), floor, 0.0), best)
        parts += [best, _rank(best), best - best.mean(axis=1, keepdims=True)]
    return np.stack(parts, axis=-1).astype(np.float32)


def best_sentence(units: np.ndarray, prototypes: Prototypes, label: int) -> int:
    """The sentence of a passage nearest to one label's prototypes (its evidence)."""
    mine = prototypes.labels == label
    return int(np.argmax((np.atleast_2d(units) @ prototypes.vectors[mine].T).max(axis=1)))


@dataclass
class PairFacet:
    """P(label | passage) = sigmoid(features(passage, label) · weights + bias), one model for all labels."""

    ids: list
    weights: np.ndarray        # features
    bias: float
    threshold: float
    prototypes: Prototypes

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """``x``: passages × labels × features (``pair_features``)."""
        return 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))
