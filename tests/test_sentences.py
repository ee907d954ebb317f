"""Sentence units and their vectors: a passage's best sentence, through adds, removals and a
save/load round trip, equals a brute-force maximum over the real sentence vectors; and the
search uses them."""
import numpy as np
import pytest

from index.sentence_vectors import SentenceVectors
from ingest.sentences import sentence_units
from search.evaluation import load_queries
from search.filters import Filters
from search.searcher import Searcher, SearchSettings

from conftest import DEV_QUERIES


def test_sentence_units_split_sentences_and_list_items_and_join_short_ones():
    text = ("Le réseau réunit 350 catalyseurs. Oui. Ils partagent leurs pratiques entre pairs depuis 2016 ;\n"
            "• un kit pratique de sortie de crise pour les territoires\n• des ateliers\n\nFin.")
    units = sentence_units(text, min_words=5)
    assert units == ["Le réseau réunit 350 catalyseurs.", "Oui. Ils partagent leurs pratiques entre pairs depuis 2016 ;",
                     "• un kit pratique de sortie de crise pour les territoires • des ateliers Fin."]
    assert sentence_units("Trop court.") == ["Trop court."]
    assert sentence_units("  \n ") == []


@pytest.fixture(scope="module")
def real(ingested, embedder):
    owners = ingested.sentence_passages
    queries = embedder.queries([q["query"] for q in load_queries(DEV_QUERIES)][:8])
    return owners, np.asarray(ingested.sentence_vectors, np.float32), queries


def brute_force(owners, vectors, vid, query):
    rows = vectors[owners == vid]
    return float((rows @ query).max()) if len(rows) else np.nan


def test_every_passage_of_several_sentences_has_its_rows(ingested):
    counts = np.bincount(ingested.sentence_passages, minlength=len(ingested.passages))
    for passage, n in zip(ingested.passages, counts):
        assert n == (len(sentence_units(passage.text)) if len(sentence_units(passage.text)) > 1 else 0)
    assert counts.sum() > 3 * len(ingested.passages)       # about five sentences a passage


def test_best_sentence_equals_brute_force_through_changes_and_reload(real, tmp_path):
    owners, vectors, queries = real
    n = int(owners.max()) + 1
    store = SentenceVectors(vectors.shape[1])
    half = owners < n // 2
    store.add(owners[half], vectors[half])
    store.add(owners[~half], vectors[~half])
    gone = list(range(0, n, 7))
    store.remove(gone)
    config = store.save(tmp_path, "sentences")
    loaded = SentenceVectors.load(tmp_path, config, vectors.shape[1])
    alive = ~np.isin(owners, gone)
    assert len(loaded) == config["rows"] == int(alive.sum())
    vids = list(range(n + 3))                     # passages removed, absent and beyond the last
    for query in queries:
        expected = [brute_force(owners[alive], vectors[alive], v, query) for v in vids]
        np.testing.assert_allclose(loaded.best(vids, query), expected, atol=2e-3)     # float16 rows
        np.testing.assert_allclose(store.best(vids, query), expected, atol=2e-3)      # settled in memory


def test_rows_must_come_in_growing_passage_order(real):
    owners, vectors, _ = real
    store = SentenceVectors(vectors.shape[1])
    store.add(owners[owners >= 5], vectors[owners >= 5])
    with pytest.raises(ValueError):
        store.add(owners[owners < 5], vectors[owners < 5])


def test_search_scores_blend_the_best_sentence(searcher):
    """A hit's dense part is the passage's similarity blended with its best sentence's: with a
    dense-only searcher the ranking follows the blend, not the passage vectors alone."""
    index = searcher.index
    dense_only = Searcher(index, searcher.embedder, SearchSettings(lexical=False))
    query = "de quoi les catalyseurs ont-ils besoin pour échanger entre pairs à distance ?"
    vector = dense_only.vector(query)
    ranked, _ = dense_only.rank(vector, dense_only.spell(query), Filters())
    vids = [v for v, _ in ranked if v not in dense_only.agenda]       # an agenda is scored down (test_search)
    passage = np.array([index.vectors.vector(v) @ vector for v in vids])
    best = index.sentences.best(vids, vector)
    blended = np.where(np.isnan(best), passage, 0.5 * passage + 0.5 * best)
    assert list(np.argsort(-blended, kind="stable")) == list(range(len(vids)))
    assert not np.array_equal(np.argsort(-passage, kind="stable"), np.arange(len(vids)))   # the blend reorders


def test_overview_sentences_continue_after_a_colon_and_keep_the_closest_unit():
    from search.overview import sentences

    units = ["Le kit propose trois outils :", "un guide, une grille et un annuaire des acteurs.", "Fin du kit ici."]
    assert sentences(units, np.array([0.2, 0.9, 0.4])) == [
        ("Le kit propose trois outils : un guide, une grille et un annuaire des acteurs.", 0.9),
        ("Fin du kit ici.", 0.4)]


def test_overview_keeps_an_enumeration_together_and_reads_no_timetable():
    from search.overview import is_prose, sentences

    units = ["Nous en tirons trois enseignements.", "D'abord, le département sait jouer collectif.",
             "Le 2ème enseignement, c'est que les catalyseurs ont des compétences propres.",
             "3e enseignement : la co-construction prend du temps.", "Merci à tous pour cette journée."]
    out = sentences(units, np.array([0.1, 0.5, 0.2, 0.3, 0.0]))
    assert [text for text, _ in out] == [units[0], " ".join(units[1:4]), units[4]]
    assert out[1][1] == 0.5                         # a block is as close as its closest unit
    assert not is_prose("** Pause déjeuner ** 14h00 – 14h30")
    assert not is_prose("Appui aux Territoires à la Banque des Territoires 12h15 – 13h00")
    assert not is_prose("Le programme de la journée")                     # a bare heading
    assert is_prose("La catalyse se matérialise par 4 métiers complémentaires.")
    assert not is_prose("Quels enseignements tirez-vous de la journée de Clermont-Ferrand ?")   # asks, answers nothing
