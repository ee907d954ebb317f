"""Tag passages with levers, ODD, trades and one entry point, each with a score and evidence.

When a learnt model fits the embedding model (``ingest/taxonomy/tagger-model.npz``, made by
``catalyse train-tags``; see tag_model.py), it tags: each label's score is its probability, and its
evidence is text of the passage — the glossary words found for it, else the sentence whose features
score highest for it. Otherwise the zero-shot tagger below does.

Zero-shot: a reader can follow every score: it adds up
- structure: the kind of section the passage sits in ("Témoignage de …" is a testimony,
  "« Outillage »" a tool) — entry points only;
- a lexicon: accent-blind prefixes from glossary.yaml found in the text (the evidence lists them);
- embedding similarity between the passage and each label's description, ranked within
  its taxonomy (0 for the farthest label, 1 for the nearest).
A label is kept when its score reaches its taxonomy's threshold, calibrated on the labelled
sample in tests/data/tagging_sample.jsonl (scripts/calibrate_tagger.py writes thresholds.json).
"""
from __future__ import annotations

import json
import re
from functools import cached_property
from pathlib import Path

import numpy as np

from .document import Label, Tags
from .sentences import sentence_spans, sentence_units
from .tag_evidence import best_sentence, pair_features, term_counts
from .tag_model import (LEXICON_STEP, MULTI, TAG_FACETS, Lexicon, TagModel, entry_features, features,
                        label_vectors, load_model, pair_positions, partnership_terms, similarities)
from .taxonomy import HERE, fold, taxonomy

THRESHOLDS_FILE = HERE / "thresholds.json"
# The zero-shot scores' weights were set by hand in the first version and are kept, not tuned: they serve
# only the fallback (a model the learnt tagger was not trained for); with the default model the learnt
# tagger decides. The fallback as a whole is measured by `catalyse train-tags --cv --zero-shot` (the
# « zero-shot » column of docs/quality.md), and the thresholds its sum is compared with are calibrated
# (scripts/calibrate_tagger.py): its scale, not the split, which 34 calibration passages cannot choose.
# The lexicon leads because its words are evidence a reader can check; for the entry point the section's
# editorial wording (« Témoignage de … ») leads, being the publication's own statement of the kind.
WEIGHTS = {"lexicon": 0.6, "embedding": 0.4}            # for levers, ODD, trades
ENTRY_WEIGHTS = {"structure": 0.5, "lexicon": 0.3, "embedding": 0.2}


def load_thresholds(path: Path = THRESHOLDS_FILE) -> dict[str, float]:
    if path.exists():
        return json.loads(path.read_text())
    return {facet: 0.5 for facet in MULTI}


def _pattern(term: str) -> re.Pattern:
    return re.compile(r"(?<![a-z0-9])" + re.escape(fold(term)))


def fold_map(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each of its characters, the position in ``text`` it comes from."""
    out, where = [], []
    for i, ch in enumerate(text):
        piece = fold(ch)
        out.append(piece)
        where += [i] * len(piece)
    return "".join(out), where


def found_words(text: str, terms: list[str]) -> list[str]:
    """The words of ``text`` that the glossary ``terms`` (accent-blind prefixes) matched, as written."""
    folded, where = fold_map(text)
    words = []
    for term in terms:
        m = re.search(r"(?<![a-z0-9])" + re.escape(fold(term)) + r"\w*", folded)
        if m:
            word = text[where[m.start()]:where[m.end() - 1] + 1]
            if word not in words:
                words.append(word)
    return words


class Tagger:
    def __init__(self, embedder, thresholds: dict[str, float] | None = None, max_labels: int = 3,
                 model: TagModel | None | str = "shipped"):
        self.embedder = embedder
        self.model = load_model(embedder.name) if model == "shipped" else model
        self.lexicon_ = Lexicon()
        self.thresholds = thresholds or load_thresholds()
        self.max_labels = max_labels
        self.taxonomy = taxonomy()
        self.lexicon = {facet: [[(t, fold(t), _pattern(t)) for t in term.terms] for term in terms]
                        for facet, terms in self.taxonomy.items()}

    @property
    def name(self) -> str:
        """Which tagger made the tags (the index's config.json records it)."""
        return self.model.name if self.model else "zero-shot"

    @cached_property
    def label_vectors(self) -> dict[str, np.ndarray]:
        return label_vectors(self.embedder)       # as the learnt tagger was trained with them

    def _lexicon(self, facet: str, folded: str) -> list[list[str]]:
        # the substring test is a cheap filter; the pattern then checks the word boundary
        return [[term for term, plain, pat in patterns if plain in folded and pat.search(folded)]
                for patterns in self.lexicon[facet]]

    def components(self, text: str, vector: np.ndarray, facet: str, folded: str | None = None):
        """Lexicon and embedding parts of every label's score, and the matched terms."""
        hits = self._lexicon(facet, folded if folded is not None else fold(text))
        lexicon = np.array([min(1.0, LEXICON_STEP * len(h)) for h in hits])
        sims = self.label_vectors[facet] @ vector
        spread = float(sims.max() - sims.min()) or 1.0
        return lexicon, (sims - sims.min()) / spread, hits

    def scores(self, text: str, vector: np.ndarray, facet: str) -> np.ndarray:
        lexicon, embedding, _ = self.components(text, vector, facet)
        return WEIGHTS["lexicon"] * lexicon + WEIGHTS["embedding"] * embedding

    def _evidence(self, facet: str, index: int, hits: list[str]) -> list[str]:
        if hits:
            return hits
        return [f"proche de : {self.taxonomy[facet][index].description[:120]}"]

    def facet_labels(self, text: str, vector: np.ndarray, facet: str, folded: str | None = None) -> list[Label]:
        """Zero-shot: the labels of one taxonomy scoring over its threshold, best first (at most ``max_labels``)."""
        lexicon, embedding, hits = self.components(text, vector, facet, folded)
        score = WEIGHTS["lexicon"] * lexicon + WEIGHTS["embedding"] * embedding
        order = [i for i in np.argsort(-score) if score[i] >= self.thresholds[facet]][: self.max_labels]
        terms = self.taxonomy[facet]
        return [Label(id=terms[i].id, label=terms[i].label, score=round(float(score[i]), 3),
                      evidence=self._evidence(facet, i, hits[i])) for i in order]

    def entry_point(self, text: str, vector: np.ndarray, section_kind: str, folded: str | None = None) -> Label:
        """Zero-shot: the passage's one entry point, from its section's kind, the lexicon and the embedding."""
        lexicon, embedding, hits = self.components(text, vector, "entry_points", folded)
        terms = self.taxonomy["entry_points"]
        structure = np.array([1.0 if section_kind in t.section_kinds else 0.0 for t in terms])
        score = (ENTRY_WEIGHTS["structure"] * structure + ENTRY_WEIGHTS["lexicon"] * lexicon
                 + ENTRY_WEIGHTS["embedding"] * embedding)
        best = int(np.argmax(score))
        evidence = [f"section : {section_kind}"] if structure[best] else []
        evidence += self._evidence("entry_points", best, hits[best]) if (hits[best] or not evidence) else []
        return Label(id=terms[best].id, label=terms[best].label, score=round(float(score[best]), 3),
                     evidence=evidence)

    def tag(self, text: str, vector: np.ndarray, section_kind: str = "text",
            unit_vectors: np.ndarray | None = None) -> Tags:
        """``unit_vectors``: the vectors of the passage's sentence units, when already embedded."""
        if self.model is not None:
            return self._learnt(text, vector, section_kind, unit_vectors)
        folded = fold(text)
        return Tags(levers=self.facet_labels(text, vector, "levers", folded),
                    sdg=self.facet_labels(text, vector, "sdg", folded),
                    trades=self.facet_labels(text, vector, "trades", folded),
                    entry_point=self.entry_point(text, vector, section_kind, folded))


    # ---- learnt model ----------------------------------------------------------------------

    def _features(self, vectors: np.ndarray, texts: list[str], section_kind: str) -> dict[str, np.ndarray]:
        sims = similarities(vectors, self.label_vectors)
        lex = np.vstack([self.lexicon_.features(self.lexicon_.hits(t)) for t in texts])
        kinds = np.vstack([entry_features(section_kind, t) for t in texts])
        return {facet: features(vectors, sims, lex, kinds, facet) for facet in TAG_FACETS}

    def _learnt(self, text: str, vector: np.ndarray, section_kind: str, unit_vectors: np.ndarray | None) -> Tags:
        model = self.model
        hits = self.lexicon_.hits(text)
        x = self._features(np.atleast_2d(vector), [text], section_kind)
        spans = sentence_spans(text) or [(0, len(text))]
        sentences = [text[a:b] for a, b in spans]
        if unit_vectors is None or len(unit_vectors) != len(sentences):
            unit_vectors = self.embedder.passages(sentence_units(text) or [text])     # as the index embeds them
        units = np.asarray(unit_vectors, np.float32)
        unit_x = None

        def words(facet: str, position: int) -> list[str]:
            return found_words(text, partnership_terms(hits) if (facet, position) == ("sdg", 16)
                               else hits[facet][position])

        def evidence(facet: str, j: int) -> list[str]:
            """The glossary words found for a label, else the sentence that scores it highest."""
            nonlocal unit_x
            if found := words(facet, j):
                return found
            if len(sentences) == 1:
                return sentences
            if unit_x is None:
                unit_x = self._features(units, sentences, section_kind)
            return [sentences[int(np.argmax(model.facets[facet].logits(unit_x[facet])[:, j]))]]

        def label(facet: str, position: int, probability: float, evidence_: list[str]) -> Label:
            term = self.taxonomy[facet][position]
            return Label(id=term.id, label=term.label, score=round(float(probability), 3), evidence=evidence_)

        out = {}
        for facet in ("levers", "sdg", "trades"):
            lf = model.facets[facet]
            probs = lf.probabilities(x[facet], exclusive=False)[0]
            chosen = [j for j in np.argsort(-probs) if probs[j] >= lf.threshold][: model.max_labels]
            pf = model.pairs.get(facet)
            if pf is not None:      # the shared model judges its labels; the per-label one keeps the others
                positions = pair_positions(facet)
                patterns = [self.lexicon_.patterns[facet][p] for p in positions]
                pair_probs = pf.probabilities(pair_features([units], term_counts(text, patterns)[None], pf.prototypes))[0]
                chosen = [j for j in chosen if j not in positions]
                order = [k for k in np.argsort(-pair_probs) if pair_probs[k] >= pf.threshold][: model.max_labels]
                labels = [label(facet, positions[k], pair_probs[k],
                                words(facet, positions[k]) or [sentences[best_sentence(units, pf.prototypes, k)]])
                          for k in order]
            else:
                labels = []
            if facet == "sdg" and not partnership_terms(hits):
                chosen = [j for j in chosen if self.taxonomy["sdg"][j].id != 17]
            labels += [label(facet, j, probs[j], evidence(facet, j)) for j in chosen]
            out[facet] = labels
        probs = model.facets["entry_points"].probabilities(x["entry_points"], exclusive=True)[0]
        best = int(np.argmax(probs))
        entry = label("entry_points", best, probs[best], evidence("entry_points", best))
        return Tags(levers=out["levers"], sdg=out["sdg"], trades=out["trades"], entry_point=entry)


def apply_editor_tags(tags: Tags, editor: dict | None) -> Tags:
    """Editor tags from the metadata file: added with score 1, or replacing the automatic
    ones when ``"replace": true``; an editor's entry point always wins."""
    if not editor:
        return tags
    replace = bool(editor.get("replace"))
    tax = taxonomy()
    for facet in MULTI:
        given = editor.get(facet) or []
        if not given and not replace:
            continue
        kept = [] if replace else [l for l in getattr(tags, facet) if str(l.id) not in map(str, given)]
        editor_labels = []
        for id_ in given:
            term = next((t for t in tax[facet] if str(t.id) == str(id_)), None)
            if term is None:
                raise ValueError(f"étiquette inconnue pour {facet} : {id_!r}")
            editor_labels.append(Label(id=term.id, label=term.label, score=1.0, evidence=["étiquette éditoriale"]))
        setattr(tags, facet, editor_labels + kept)
    if editor.get("entry_point"):
        term = next((t for t in tax["entry_points"] if t.id == editor["entry_point"]), None)
        if term is None:
            raise ValueError(f"point d'entrée inconnu : {editor['entry_point']!r}")
        tags.entry_point = Label(id=term.id, label=term.label, score=1.0, evidence=["étiquette éditoriale"])
    return tags
