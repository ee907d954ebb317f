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

from .taxonomy import HERE, fold, taxonomy

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "data" / "tagging" / "labelled.jsonl"
HEADERS = ROOT / "tests" / "data" / "tagging" / "headers.json"
MODEL_FILE = HERE / "tagger-model.npz"
MULTI = ("levers", "sdg", "trades")
FACETS = MULTI + ("entry_points",)
ROW_FIELD = {"levers": "levers", "sdg": "sdg", "trades": "trades", "entry_points": "entry_point"}
KINDS = ("temoignage", "eclairage", "outillage", "table_ronde", "debat", "echanges", "atelier", "synthese",
         "perspective", "introduction", "conclusion", "programme", "text")
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
        return np.array([min(1.0, LEXICON_STEP * len(h)) for facet in FACETS for h in hits[facet]], np.float32)


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
    return np.array([section_kind == k for k in KINDS], np.float32)


USE_VECTOR = True
LAYOUT = ("vector+" if USE_VECTOR else "") + "similarities+lexicon(+kind)"     # what a saved model expects


def label_vectors(embedder) -> dict[str, np.ndarray]:
    """Each label's description embedded as a query, as the zero-shot tagger compares them."""
    return {facet: embedder.queries([f"{t.label} : {t.description}" for t in terms])
            for facet, terms in taxonomy().items()}


def similarities(vectors: np.ndarray, labels: dict[str, np.ndarray]) -> np.ndarray:
    """Similarity of each passage to every label's description, ranked within its facet (0 the
    farthest label, 1 the nearest), as the zero-shot tagger scores them."""
    parts = []
    for facet in FACETS:
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
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        with open(path, "wb") as out:
            np.savez_compressed(out, **arrays)

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "TagModel":
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            facets = {facet: LinearFacet(ids=m["ids"], weights=data[f"{facet}.weights"], bias=data[f"{facet}.bias"],
                                         threshold=float(m["threshold"])) for facet, m in meta["facets"].items()}
        return cls(model=meta["model"], data_hash=meta["data_hash"], facets=facets, max_labels=meta["max_labels"],
                   layout=meta.get("layout", ""))

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


def embedding_texts(rows: list[dict], headers_path: Path = HEADERS) -> list[str]:
    headers = json.loads(headers_path.read_text(encoding="utf-8")) if headers_path.exists() else {}
    return [f"{headers.get(r['id']) or fallback_header(r)}\n{r['text']}" for r in rows]


def data_hash(rows: list[dict]) -> str:
    keys = ("text", "section", "kind", "levers", "sdg", "trades", "entry_point")
    blob = json.dumps([{k: r.get(k) for k in keys} for r in rows], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class TrainingSet:
    rows: list[dict]
    vectors: np.ndarray
    sims: np.ndarray
    lexicon: np.ndarray
    kinds: np.ndarray

    @classmethod
    def build(cls, rows: list[dict], embedder, lexicon: Lexicon | None = None) -> "TrainingSet":
        lexicon = lexicon or Lexicon()
        vectors = np.asarray(embedder.passages(embedding_texts(rows)), np.float32)
        sims = similarities(vectors, label_vectors(embedder))
        lex = np.vstack([lexicon.features(lexicon.hits(r["text"])) for r in rows])
        kinds = np.vstack([kind_features(r.get("kind") or r.get("section_kind") or "text") for r in rows])
        return cls(rows, vectors, sims, lex, kinds)

    def subset(self, idx) -> "TrainingSet":
        idx = np.asarray(idx)
        return TrainingSet([self.rows[i] for i in idx], self.vectors[idx], self.sims[idx], self.lexicon[idx],
                           self.kinds[idx])

    def x(self, facet: str) -> np.ndarray:
        return features(self.vectors, self.sims, self.lexicon, self.kinds, facet)

    def y(self, facet: str) -> np.ndarray:
        ids = [t.id for t in taxonomy()[facet]]
        field = ROW_FIELD[facet]
        if facet == "entry_points":
            return np.array([ids.index(r[field]) for r in self.rows])
        return np.array([[i in r[field] for i in ids] for r in self.rows], np.int8)

    @property
    def groups(self) -> np.ndarray:
        return np.array([r["group"] for r in self.rows])
