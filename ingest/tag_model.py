"""The learnt tagger: one linear model per label over the passage vector and the lexicon.

Features of a passage: its vector (embedded under its context header, as the index embeds it),
for every label of every taxonomy the lexicon hits of glossary.yaml (min(1, 0.4 × distinct terms)),
and for the entry point the structural kind of its section (one-hot). Levers, ODD and trades are
one-vs-rest logistic regressions, the entry point a multinomial one. A facet keeps the labels whose
probability reaches its threshold, chosen by grouped cross-validation inside the training data.

The model is plain arrays (``TagModel.save`` / ``load``: .npz, no pickle): the standardisation is
folded into the weights, so tagging is one matrix product per facet, without scikit-learn.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .sentences import sentence_units
from .tag_evidence import (EXAMPLE, PAIR_FACETS, PairFacet, Prototypes, pair_features, pair_label_ids,
                           reference_texts, term_counts)
from .taxonomy import HERE, fold, taxonomy

LABELLED = HERE / "labelled" / "labelled.jsonl"      # the labelled passages train-tags learns from (its README)
HEADERS = HERE / "labelled" / "headers.json"
MODEL_FILE = HERE / "tagger-model.npz"
MULTI = ("levers", "sdg", "trades")
TAG_FACETS = MULTI + ("entry_points",)
ROW_FIELD = {"levers": "levers", "sdg": "sdg", "trades": "trades", "entry_points": "entry_point"}
SECTION_KINDS = ("temoignage", "eclairage", "outillage", "table_ronde", "debat", "echanges", "atelier", "synthese",
         "perspective", "introduction", "conclusion", "programme", "text")
# a label's lexicon feature: 0.4 per distinct glossary term found, capped at 1 (three terms say it as
# surely as more); set by hand with the zero-shot tagger and kept as a feature scale — the learnt
# models weigh it themselves, so only the cap's position matters, not the step (not measured)
LEXICON_STEP = 0.4


def _pattern(term: str) -> re.Pattern:
    return re.compile(r"(?<![a-z0-9])" + re.escape(fold(term)))


class Lexicon:
    """The glossary's accent-blind terms of every label, found in a text."""

    def __init__(self):
        self.taxonomy = taxonomy()
        self.patterns = {facet: [[(t, fold(t), _pattern(t)) for t in term.terms] for term in terms]
                         for facet, terms in self.taxonomy.items()}

    def hits(self, text: str) -> dict[str, list[list[str]]]:
        folded = fold(text)
        # the substring test is a cheap filter; the pattern then checks the word boundary
        return {facet: [[t for t, plain, pat in label if plain in folded and pat.search(folded)] for label in labels]
                for facet, labels in self.patterns.items()}

    def features(self, hits: dict[str, list[list[str]]]) -> np.ndarray:
        return np.array([min(1.0, LEXICON_STEP * len(h)) for facet in TAG_FACETS for h in hits[facet]], np.float32)


# ODD 17 is given only with evidence of a partnership (docs/tagging-guide.md): a glossary term of ODD 17
# or of the lever « alliance » in the passage. On the cross-validated proceedings this brings the share
# of passages predicted ODD 17 from 0.53 to 0.43 (0.40 labelled), precision 0.44 → 0.49, recall 0.59 → 0.53.
PARTNERSHIP = (("sdg", 16), ("levers", 4))


def partnership_terms(hits: dict[str, list[list[str]]]) -> list[str]:
    return [t for facet, j in PARTNERSHIP for t in hits[facet][j]]


def partnership_mask(lexicon: np.ndarray) -> np.ndarray:
    """Rows of lexicon features (``Lexicon.features``) that hold a partnership term."""
    offsets = {"levers": 0, "sdg": len(taxonomy()["levers"])}
    return np.any([lexicon[:, offsets[facet] + j] > 0 for facet, j in PARTNERSHIP], axis=0)


def kind_features(section_kind: str) -> np.ndarray:
    return np.array([section_kind == k for k in SECTION_KINDS], np.float32)


# How a passage speaks, per 100 words: a testimony tells what « nous » / « je » did (« nous avons
# créé »), an insight explains in general terms. Grouped CV, entry point accuracy 0.743 → 0.768
# with these rates added to the section kind (the confusion is testimony ↔ insight in round tables).
VOICE = tuple(re.compile(p) for p in (
    r"\b(?:je|j'|moi|mon|ma|mes)\b",
    r"\b(?:nous|notre|nos)\b",
    r"\bon\b",
    r"\b(?:nous avons|j'ai|on a|nous sommes|je suis|on est|nous étions|on était|j'étais)\b",
    r"\b(?:vous|votre|vos)\b",
    r"\b(?:il faut|il s'agit|il est|doit|doivent|devons)\b",
    r"\d",
    r"\?",
))


def voice_features(text: str) -> np.ndarray:
    lowered = text.lower().replace("’", "'")
    per = 100 / max(1, len(lowered.split()))
    return np.array([len(p.findall(lowered)) * per for p in VOICE], np.float32)


def entry_features(section_kind: str, text: str) -> np.ndarray:
    """What the entry point reads besides the text's meaning: its section's kind and its voice."""
    return np.concatenate([kind_features(section_kind), voice_features(text)])


USE_VECTOR = True
LAYOUT = ("vector+" if USE_VECTOR else "") + "similarities+lexicon(+kind+voice);pairs:sdg1-16,trades"   # what a saved model expects


def label_vectors(embedder) -> dict[str, np.ndarray]:
    """Each label's description embedded as a query, as the zero-shot tagger compares them."""
    return {facet: embedder.queries([f"{t.label} : {t.description}" for t in terms])
            for facet, terms in taxonomy().items()}


def similarities(vectors: np.ndarray, labels: dict[str, np.ndarray]) -> np.ndarray:
    """Similarity of each passage to every label's description, ranked within its facet (0 the
    farthest label, 1 the nearest), as the zero-shot tagger scores them."""
    parts = []
    for facet in TAG_FACETS:
        sims = np.atleast_2d(vectors) @ labels[facet].T
        low, high = sims.min(1, keepdims=True), sims.max(1, keepdims=True)
        parts.append((sims - low) / np.where(high > low, high - low, 1.0))
    return np.hstack(parts)


def features(vectors: np.ndarray, sims: np.ndarray, lexicon: np.ndarray, kinds: np.ndarray, facet: str) -> np.ndarray:
    parts = ([vectors] if USE_VECTOR else []) + [sims, lexicon] + ([kinds] if facet == "entry_points" else [])
    return np.hstack(parts).astype(np.float32)


@dataclass
class LinearFacet:
    """One facet's labels: probability = sigmoid (or softmax for the entry point) of X @ W.T + b."""

    ids: list
    weights: np.ndarray        # labels × features
    bias: np.ndarray           # labels
    threshold: float           # multi-label facets; unused for the entry point

    def logits(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weights.T + self.bias

    def probabilities(self, x: np.ndarray, exclusive: bool) -> np.ndarray:
        z = self.logits(x)
        if exclusive:
            z = np.exp(z - z.max(axis=-1, keepdims=True))
            return z / z.sum(axis=-1, keepdims=True)
        return 1.0 / (1.0 + np.exp(-z))


@dataclass
class TagModel:
    model: str                 # the embedding model its vectors come from
    data_hash: str             # sha256 of the training rows
    facets: dict[str, LinearFacet]
    pairs: dict[str, PairFacet]
    max_labels: int = 3
    layout: str = LAYOUT

    def save(self, path: Path = MODEL_FILE) -> None:
        arrays = {}
        meta = {"model": self.model, "data_hash": self.data_hash, "max_labels": self.max_labels, "layout": self.layout,
                "facets": {}}
        for facet, lf in self.facets.items():
            arrays[f"{facet}.weights"] = lf.weights.astype(np.float32)
            arrays[f"{facet}.bias"] = lf.bias.astype(np.float32)
            meta["facets"][facet] = {"ids": lf.ids, "threshold": lf.threshold}
        meta["pairs"] = {}
        for facet, pf in self.pairs.items():
            meta["pairs"][facet] = {"ids": pf.ids, "threshold": pf.threshold, "bias": pf.bias}
            arrays[f"pair.{facet}.weights"] = pf.weights.astype(np.float32)
            arrays[f"pair.{facet}.vectors"] = pf.prototypes.vectors.astype(np.float16)
            arrays[f"pair.{facet}.labels"] = pf.prototypes.labels.astype(np.int16)
            arrays[f"pair.{facet}.sources"] = pf.prototypes.sources.astype(np.int8)
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        with open(path, "wb") as out:
            np.savez_compressed(out, **arrays)

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "TagModel":
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            facets = {facet: LinearFacet(ids=m["ids"], weights=data[f"{facet}.weights"], bias=data[f"{facet}.bias"],
                                         threshold=float(m["threshold"])) for facet, m in meta["facets"].items()}
            pairs = {}
            for facet, m in meta.get("pairs", {}).items():
                labels = data[f"pair.{facet}.labels"].astype(np.int64)
                prototypes = Prototypes(data[f"pair.{facet}.vectors"].astype(np.float32), labels,
                                        data[f"pair.{facet}.sources"].astype(np.int64), np.full(len(labels), ""))
                pairs[facet] = PairFacet(m["ids"], data[f"pair.{facet}.weights"], float(m["bias"]),
                                         float(m["threshold"]), prototypes)
        return cls(model=meta["model"], data_hash=meta["data_hash"], facets=facets, pairs=pairs,
                   max_labels=meta["max_labels"], layout=meta.get("layout", ""))

    @property
    def name(self) -> str:
        """What the index records as its tagger."""
        return f"learnt:{self.data_hash[:12]}"


def load_model(model_name: str, path: Path = MODEL_FILE) -> TagModel | None:
    """The shipped model if it was trained for ``model_name``'s vectors, else None."""
    if not path.exists():
        return None
    model = TagModel.load(path)
    return model if model.model == model_name and model.layout == LAYOUT else None


# ---- training data -------------------------------------------------------------------------

def load_rows(path: Path = LABELLED, extra: list[dict] | None = None) -> list[dict]:
    """The labelled passages, plus ``extra`` rows of the same shape — the seam where editors'
    corrections will join the training data."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows + list(extra or [])


def fallback_header(row: dict, title: str | None = None) -> str:
    """``Passage.context_header`` from a labelled row alone (no speaker known): title, innermost section."""
    path = [p.strip() for p in row["section"].split("›")]
    title = (title or path[0]).split(" — ")[0]
    return " — ".join(p for p in dict.fromkeys([title, path[-1]]) if p)


def training_texts(rows: list[dict], headers_path: Path = HEADERS) -> list[str]:
    headers = json.loads(headers_path.read_text(encoding="utf-8")) if headers_path.exists() else {}
    return [f"{headers.get(r['id']) or fallback_header(r)}\n{r['text']}" for r in rows]


def section_kind_of(row: dict) -> str:
    """A training row's section kind: ``section_kind``, called ``kind`` in rows written before API 0.3.0."""
    return row.get("section_kind") or row.get("kind") or "text"


def data_hash(rows: list[dict]) -> str:
    keys = ("text", "section", "levers", "sdg", "trades", "entry_point")
    # the section kind hashed under its old key "kind": the rename of the field left the data, and the
    # shipped model's hash, as they were
    blob = json.dumps([{**{k: r.get(k) for k in keys}, "kind": r.get("section_kind", r.get("kind"))} for r in rows],
                      ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class TrainingSet:
    rows: list[dict]
    vectors: np.ndarray
    sims: np.ndarray
    lexicon: np.ndarray
    kinds: np.ndarray
    units: list[np.ndarray]                 # each passage's sentence vectors
    counts: dict[str, np.ndarray]           # pair facet → passages × labels × 2 (``term_counts``)
    prototypes: dict[str, Prototypes]       # pair facet → the rows' examples, then descriptions and targets
    proto_rows: dict[str, np.ndarray]       # pair facet → the row of each example, -1 for the others

    @classmethod
    def build(cls, rows: list[dict], embedder, lexicon: Lexicon | None = None) -> "TrainingSet":
        lexicon = lexicon or Lexicon()
        vectors = np.asarray(embedder.passages(training_texts(rows)), np.float32)
        sims = similarities(vectors, label_vectors(embedder))
        lex = np.vstack([lexicon.features(lexicon.hits(r["text"])) for r in rows])
        kinds = np.vstack([entry_features(section_kind_of(r), r["text"]) for r in rows])
        # sentence units embedded as the index embeds them (Pipeline: the same cache entries)
        texts = [sentence_units(r["text"]) or [r["text"]] for r in rows]
        flat = np.asarray(embedder.passages([t for unit in texts for t in unit]), np.float32)
        ends = np.cumsum([len(unit) for unit in texts])
        units = np.split(flat, ends[:-1])
        counts, prototypes, proto_rows = {}, {}, {}
        for facet in PAIR_FACETS:
            label_ids = [str(i) for i in pair_label_ids(facet)]
            counts[facet] = np.stack([term_counts(r["text"], [lexicon.patterns[facet][j] for j in
                                                              pair_positions(facet)]) for r in rows])
            # an editor's correction may have taken a label away from a row whose evidence still names it
            examples = [(i, label_ids.index(key), words) for i, r in enumerate(rows)
                        for key, words in (r.get("evidence") or {}).items()
                        if key in label_ids and key in {str(x) for x in r[ROW_FIELD[facet]]}]
            references = reference_texts(facet)
            texts_ = [w for _, _, w in examples] + [t for _, _, t in references]
            prototypes[facet] = Prototypes(
                np.asarray(embedder.passages(texts_), np.float32),
                np.array([j for _, j, _ in examples] + [j for j, _, _ in references], np.int64),
                np.array([EXAMPLE] * len(examples) + [src for _, src, _ in references], np.int64),
                np.array([group_of(rows[i]) for i, _, _ in examples] + [""] * len(references)))
            proto_rows[facet] = np.array([i for i, _, _ in examples] + [-1] * len(references), np.int64)
        return cls(rows, vectors, sims, lex, kinds, units, counts, prototypes, proto_rows)

    def subset(self, idx) -> "TrainingSet":
        """Rows ``idx``, with the examples of those rows only."""
        idx = np.asarray(idx)
        new_row = {int(r): k for k, r in enumerate(idx)}
        prototypes, proto_rows = {}, {}
        for facet, rows_of in self.proto_rows.items():
            keep = np.array([r < 0 or int(r) in new_row for r in rows_of], bool)
            prototypes[facet] = self.prototypes[facet].subset(keep)
            proto_rows[facet] = np.array([new_row[int(r)] if r >= 0 else -1 for r in rows_of[keep]], np.int64)
        return TrainingSet([self.rows[i] for i in idx], self.vectors[idx], self.sims[idx], self.lexicon[idx],
                           self.kinds[idx], [self.units[i] for i in idx],
                           {f: c[idx] for f, c in self.counts.items()}, prototypes, proto_rows)

    def x(self, facet: str) -> np.ndarray:
        return features(self.vectors, self.sims, self.lexicon, self.kinds, facet)

    def pair_x(self, facet: str, prototypes: Prototypes | None = None) -> np.ndarray:
        """passages × labels × features; against the set's own examples, each passage's group left out."""
        if prototypes is None:
            return pair_features(self.units, self.counts[facet], self.prototypes[facet], self.groups)
        return pair_features(self.units, self.counts[facet], prototypes)

    def y(self, facet: str) -> np.ndarray:
        ids = [t.id for t in taxonomy()[facet]]
        field = ROW_FIELD[facet]
        if facet == "entry_points":
            return np.array([ids.index(r[field]) for r in self.rows])
        return np.array([[i in r[field] for i in ids] for r in self.rows], np.int8)

    def pair_y(self, facet: str) -> np.ndarray:
        return self.y(facet)[:, pair_positions(facet)]

    @property
    def groups(self) -> np.ndarray:
        return np.array([group_of(r) for r in self.rows])


def group_of(row: dict) -> str:
    """The cross-validation group (a section); rows without one (editors' corrections) are their
    publication's."""
    return row.get("group") or row.get("doc_id") or row["id"]


def pair_positions(facet: str) -> list[int]:
    """Positions of the pair model's labels among the facet's labels."""
    ids = [t.id for t in taxonomy()[facet]]
    return [ids.index(i) for i in pair_label_ids(facet)]
