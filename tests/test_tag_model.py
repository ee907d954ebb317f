"""The learnt tagger (ingest/tag_model.py): its grouped cross-validated figures on the labelled
passages kept as floors, the shipped model, evidence that is text of its passage.

`catalyse train-tags --cv --zero-shot` prints the figures; the floors sit a little under them.
"""
import json

import numpy as np
import pytest

from ingest.tag_model import MODEL_FILE, TagModel, TrainingSet, data_hash, load_rows
from ingest.tag_training import cross_validated_predictions, figures
from ingest.tagger import Tagger

# measured by `catalyse train-tags --cv` (284 proceedings passages, 5 grouped folds); see the README
# measured (learnt): levers top-3 0.960, P 0.513, R 0.679; ODD 1–16 P 0.304, R 0.302; trades P 0.382,
# R 0.696; entry point accuracy 0.743; ODD 17 predicted on 0.401 of the passages, labelled on 0.401
FLOORS = {
    ("levers", "top3"): 0.93,
    ("levers", "precision"): 0.48,
    ("levers", "recall"): 0.64,
    ("sdg", "precision_1_16"): 0.27,
    ("sdg", "recall_1_16"): 0.27,
    ("trades", "precision"): 0.35,
    ("trades", "recall"): 0.66,
    ("entry_points", "accuracy"): 0.71,
}


@pytest.fixture(scope="module")
def training(embedder, ingested):
    # the proceedings passages are embedded under the same headers by the session's index: cache hits
    return TrainingSet.build(load_rows(), embedder)


@pytest.fixture(scope="module")
def report(training):
    return figures(training, cross_validated_predictions(training))


@pytest.mark.parametrize("facet,measure", sorted(FLOORS))
def test_cross_validated_figures_hold_their_floors(report, facet, measure):
    assert report[facet][measure] >= FLOORS[(facet, measure)], report


def test_odd_17_is_not_given_to_every_passage(report):
    # labelled on 0.40 of the proceedings passages (only with evidence of a partnership)
    sdg = report["sdg"]
    assert abs(sdg["share_17_predicted"] - sdg["share_17_labelled"]) <= 0.10, sdg


def test_the_shipped_model_fits_the_model_and_the_labelled_data(embedder):
    model = TagModel.load(MODEL_FILE)
    assert model.model == embedder.name
    assert model.data_hash == data_hash(load_rows()), "labelled data changed: run `catalyse train-tags`"
    assert Tagger(embedder).name == model.name


def test_evidence_of_every_label_is_text_of_its_passage(training, embedder):
    tagger = Tagger(embedder)
    assert tagger.model is not None
    for row, vector in zip(training.rows, training.vectors):
        tags = tagger.tag(row["text"], vector, row["kind"])
        for label in tags.levers + tags.sdg + tags.trades + [tags.entry_point]:
            assert label.evidence, (row["id"], label)
            for words in label.evidence:
                assert words and words in row["text"], (row["id"], label.id, words)
                assert not words.startswith("proche de")


def test_the_index_records_its_tagger(index, ingested):
    config = json.loads((index.path / "config.json").read_text())
    assert config["tagger"] == TagModel.load(MODEL_FILE).name
    assert all(p.tags.entry_point for p in ingested.passages)


def test_sentence_spans_are_where_the_embedded_units_lie():
    from ingest.sentences import sentence_spans, sentence_units

    for row in load_rows():
        text = row["text"]
        spans, units = sentence_spans(text), sentence_units(text)
        assert [" ".join(text[a:b].split()) for a, b in spans] == [" ".join(u.split()) for u in units], row["id"]


def test_glossary_words_are_given_as_the_passage_writes_them():
    from ingest.tagger import found_words

    text = "Les Alliances d’un écosystème"           # accents, case and plural differ from the terms
    assert found_words(text, ["alliance", "ecosysteme", "absent"]) == ["Alliances", "écosystème"]
