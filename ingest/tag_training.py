"""Training and grouped cross-validation of the learnt tagger (scikit-learn, at training time only).

Protocol (ingest/taxonomy/labelled/README.md): folds split the proceedings by ``group`` (a session item),
GroupKFold with 5 folds; the written and publication passages join every training fold and are never
scored, so the figures are those of the proceedings. Inside each training set, the regularisation
and each facet's decision threshold are chosen by an inner grouped cross-validation: the test fold
never chooses anything.
"""
from __future__ import annotations

import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from .tag_evidence import PAIR_FACETS, PairFacet
from .tag_model import (TAG_FACETS, MULTI, LinearFacet, TagModel, TrainingSet, pair_positions, data_hash,
                        partnership_mask, section_kind_of)
from .taxonomy import taxonomy

FOLDS = 5
INNER_FOLDS = 4
C_GRID = (0.01, 0.03, 0.1, 0.3)     # inverse L2 strength over standardised features, chosen inside each training fold
THRESHOLDS = np.round(np.arange(0.10, 0.91, 0.025), 3)   # decision thresholds tried inside each training fold (best F1)
# the shared model has a dozen features and thousands of (passage, label) pairs: C barely matters
# (grouped CV, ODD 1–16 P/R 0.414/0.547 at C = 0.1, 0.421/0.558 at 1.0; trades 0.575/0.741, 0.567/0.719)
PAIR_C = 1.0
ODD_PARTNERSHIP = 17


def _fit(x: np.ndarray, y: np.ndarray, c: float, exclusive: bool) -> tuple[np.ndarray, np.ndarray]:
    """Weights and bias over raw features (the standardisation folded in)."""
    scaler = StandardScaler().fit(x)
    xs = scaler.transform(x)
    if exclusive:
        clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(xs, y)
        coef, intercept = np.zeros((int(y.max()) + 1, x.shape[1])), np.full(int(y.max()) + 1, -20.0)
        coef[clf.classes_], intercept[clf.classes_] = clf.coef_, clf.intercept_
        if len(clf.classes_) == 2:      # sklearn gives one row for two classes
            coef[clf.classes_] = np.vstack([-clf.coef_[0] / 2, clf.coef_[0] / 2])
            intercept[clf.classes_] = [-clf.intercept_[0] / 2, clf.intercept_[0] / 2]
    else:
        coef, intercept = np.zeros((y.shape[1], x.shape[1])), np.zeros(y.shape[1])
        for j in range(y.shape[1]):
            positives = int(y[:, j].sum())
            if positives == 0 or positives == len(y):      # nothing to learn: the prior, near 0 or 1
                intercept[j] = 20.0 if positives else -20.0
                continue
            clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(xs, y[:, j])
            coef[j], intercept[j] = clf.coef_[0], clf.intercept_[0]
    weights = coef / scaler.scale_
    bias = intercept - weights @ scaler.mean_
    return weights.astype(np.float32), bias.astype(np.float32)


def _micro_f1(y: np.ndarray, chosen: np.ndarray) -> float:
    tp = float((y & chosen).sum())
    return 2 * tp / max(1.0, float(y.sum() + chosen.sum()))


def select(probs: np.ndarray, threshold: float, max_labels: int) -> np.ndarray:
    """The labels a facet keeps: probability ≥ threshold, at most ``max_labels``, best first."""
    chosen = probs >= threshold
    if max_labels:
        rank = np.argsort(np.argsort(-probs, axis=1), axis=1)
        chosen &= rank < max_labels
    return chosen


def _inner_choice(ts: TrainingSet, facet: str, max_labels: int) -> tuple[float, float]:
    """(C, threshold) by grouped cross-validation inside ``ts``."""
    exclusive = facet == "entry_points"
    x, y, groups = ts.x(facet), ts.y(facet), ts.groups
    splits = list(GroupKFold(INNER_FOLDS).split(x, groups=groups))
    best = (-1.0, C_GRID[0], 0.5)
    for c in C_GRID:
        probs = np.zeros((len(x), len(taxonomy()[facet])))
        for train, test in splits:
            w, b = _fit(x[train], y[train], c, exclusive)
            probs[test] = LinearFacet([], w, b, 0.5).probabilities(x[test], exclusive)
        if exclusive:
            score, threshold = float((probs.argmax(1) == y).mean()), 0.0
            if score > best[0]:
                best = (score, c, threshold)
            continue
        for threshold in THRESHOLDS:
            score = _micro_f1(y.astype(bool), select(probs, threshold, max_labels))
            if score > best[0]:
                best = (score, c, float(threshold))
    return best[1], best[2]


def _fit_pairs(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """One logistic model over every (passage, label) pair: x passages × labels × features."""
    w, b = _fit(x.reshape(-1, x.shape[-1]), y.reshape(-1, 1), PAIR_C, exclusive=False)
    return w[0], float(b[0])


def train_pairs(ts: TrainingSet, facet: str, max_labels: int) -> PairFacet:
    """The shared model of a facet, its threshold chosen by grouped cross-validation inside ``ts``."""
    x, y, groups = ts.pair_x(facet), ts.pair_y(facet).astype(bool), ts.groups
    probs = np.zeros(y.shape)
    for fit, test in GroupKFold(INNER_FOLDS).split(x, groups=groups):
        w, b = _fit_pairs(x[fit], y[fit])
        probs[test] = 1.0 / (1.0 + np.exp(-(x[test] @ w + b)))
    threshold = max(THRESHOLDS, key=lambda t: _micro_f1(y, select(probs, t, max_labels)))
    w, b = _fit_pairs(x, y)
    ids = [taxonomy()[facet][p].id for p in pair_positions(facet)]
    return PairFacet(ids, w, b, float(threshold), ts.prototypes[facet])


def train(ts: TrainingSet, model_name: str, max_labels: int = 3) -> TagModel:
    facets, pairs = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for facet in TAG_FACETS:
            c, threshold = _inner_choice(ts, facet, max_labels)
            w, b = _fit(ts.x(facet), ts.y(facet), c, facet == "entry_points")
            facets[facet] = LinearFacet([t.id for t in taxonomy()[facet]], w, b, threshold)
        for facet in PAIR_FACETS:
            pairs[facet] = train_pairs(ts, facet, max_labels)
    return TagModel(model=model_name, data_hash=data_hash(ts.rows), facets=facets, pairs=pairs,
                    max_labels=max_labels)


# ---- cross-validation ---------------------------------------------------------------------

def scored(ts: TrainingSet) -> np.ndarray:
    """Positions of the passages the figures are measured on: the proceedings."""
    return np.array([i for i, r in enumerate(ts.rows) if r.get("source", "proceedings") == "proceedings"])


def outer_splits(ts: TrainingSet):
    """(train, test) positions: GroupKFold over the proceedings; other passages always train."""
    scored_idx = scored(ts)
    always = np.setdiff1d(np.arange(len(ts.rows)), scored_idx)
    for train, test in GroupKFold(FOLDS).split(scored_idx, groups=ts.groups[scored_idx]):
        yield np.concatenate([scored_idx[train], always]), scored_idx[test]


def cross_validated_predictions(ts: TrainingSet, max_labels: int = 3) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities and chosen labels for every scored passage (rows of ``scored(ts)``)."""
    idx = scored(ts)
    where = {p: k for k, p in enumerate(idx)}
    out = {}
    for facet in TAG_FACETS:
        out[facet] = np.zeros((len(idx), len(taxonomy()[facet])))
        out[facet + ".chosen"] = np.zeros((len(idx), len(taxonomy()[facet])), bool)
    for fit_idx, test in outer_splits(ts):
        train_model = train(ts.subset(fit_idx), "cv", max_labels)
        pos = [where[p] for p in test]
        sub = ts.subset(test)
        for facet in TAG_FACETS:
            lf = train_model.facets[facet]
            probs = lf.probabilities(sub.x(facet), facet == "entry_points")
            out[facet][pos] = probs
            out[facet + ".chosen"][pos] = (np.eye(probs.shape[1], dtype=bool)[probs.argmax(1)]
                                           if facet == "entry_points" else select(probs, lf.threshold, max_labels))
        for facet in PAIR_FACETS:
            pf = train_model.pairs[facet]
            probs = pf.probabilities(sub.pair_x(facet, pf.prototypes))
            cols = pair_positions(facet)
            out[facet][np.ix_(pos, cols)] = probs
            out[facet + ".chosen"][np.ix_(pos, cols)] = select(probs, pf.threshold, max_labels)
        out["sdg.chosen"][pos, 16] &= partnership_mask(sub.lexicon)
    return out


def figures(ts: TrainingSet, predictions: dict[str, np.ndarray]) -> dict:
    """Per facet: precision, recall (micro); levers top-3; entry point accuracy; ODD 1–16 P/R; ODD 17 shares."""
    idx = scored(ts)
    gold = ts.subset(idx)
    report = {}
    for facet in MULTI:
        y = gold.y(facet).astype(bool)
        chosen = predictions[facet + ".chosen"]
        tp = float((y & chosen).sum())
        report[facet] = {"precision": tp / max(1.0, chosen.sum()), "recall": tp / max(1.0, y.sum())}
    y = gold.y("levers").astype(bool)
    top3 = np.argsort(-predictions["levers"], axis=1)[:, :3]
    has = y.any(1)
    hit = np.array([y[i, top3[i]].any() for i in range(len(y))])
    report["levers"]["top3"] = float(hit[has].mean())
    sdg = gold.y("sdg").astype(bool)
    chosen = predictions["sdg.chosen"]
    tp = float((sdg[:, :16] & chosen[:, :16]).sum())
    report["sdg"]["precision_1_16"] = tp / max(1.0, chosen[:, :16].sum())
    report["sdg"]["recall_1_16"] = tp / max(1.0, sdg[:, :16].sum())
    report["sdg"]["share_17_predicted"] = float(chosen[:, 16].mean())
    report["sdg"]["share_17_labelled"] = float(sdg[:, 16].mean())
    entry = gold.y("entry_points")
    report["entry_points"] = {"accuracy": float((predictions["entry_points.chosen"].argmax(1) == entry).mean())}
    report["passages"] = len(idx)
    return {k: ({m: round(v, 3) for m, v in d.items()} if isinstance(d, dict) else d) for k, d in report.items()}


def zero_shot_predictions(ts: TrainingSet, tagger) -> dict[str, np.ndarray]:
    """The zero-shot tagger's labels and scores on the scored passages, in the same layout."""
    idx = scored(ts)
    out = {}
    for facet in TAG_FACETS:
        out[facet] = np.zeros((len(idx), len(taxonomy()[facet])))
        out[facet + ".chosen"] = np.zeros((len(idx), len(taxonomy()[facet])), bool)
    for k, i in enumerate(idx):
        row, vector = ts.rows[i], ts.vectors[i]
        tags = tagger.tag(row["text"], vector, section_kind_of(row))
        for facet in MULTI:
            ids = [t.id for t in taxonomy()[facet]]
            out[facet][k] = tagger.scores(row["text"], vector, facet)
            for label in getattr(tags, facet):
                out[facet + ".chosen"][k, ids.index(label.id)] = True
        ids = [t.id for t in taxonomy()["entry_points"]]
        out["entry_points.chosen"][k, ids.index(tags.entry_point.id)] = True
    return out


def format_figures(report: dict, title: str) -> str:
    lev, sdg, tr, ep = report["levers"], report["sdg"], report["trades"], report["entry_points"]
    return "\n".join([
        f"{title} — {report['passages']} passages des actes, validation croisée groupée ({FOLDS} plis)",
        f"  leviers          P {lev['precision']:.3f}  R {lev['recall']:.3f}  bon levier dans les 3 premiers {lev['top3']:.3f}",
        f"  ODD              P {sdg['precision']:.3f}  R {sdg['recall']:.3f}",
        f"  ODD 1–16         P {sdg['precision_1_16']:.3f}  R {sdg['recall_1_16']:.3f}",
        f"  ODD 17           prédit {sdg['share_17_predicted']:.3f} des passages, étiqueté {sdg['share_17_labelled']:.3f}",
        f"  métiers          P {tr['precision']:.3f}  R {tr['recall']:.3f}",
        f"  point d'entrée   exactitude {ep['accuracy']:.3f}",
    ])
