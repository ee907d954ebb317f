"""Facets, groups by entry point, overview and related resources, checked against brute force."""
import dataclasses
import math
from collections import Counter

import numpy as np
import pytest

from index.analysis import analyse, words
from ingest.glossary import FACETS
from search.answer import answer
from search.filters import Filters
from search.related import related
from search.relevance import Background

QUESTION = "Comment les entreprises s'engagent-elles avec les associations sur les territoires ?"


def all_passages(index):
    return index.store.passages(list(range(0, 100_000)))


def passes(p, f: Filters) -> bool:
    labels = {facet: {str(l.id) for l in getattr(p.tags, facet)} for facet in ("levers", "sdg", "trades")}
    return ((not f.lever or labels["levers"] & set(f.lever)) and (not f.sdg or labels["sdg"] & set(map(str, f.sdg)))
            and (not f.trade or labels["trades"] & set(f.trade))
            and (not f.entry_point or p.tags.entry_point.id in f.entry_point)
            and (not f.doc or p.doc_id in f.doc) and (not f.lang or p.language in f.lang)
            and (f.page_min is None or p.page_end >= f.page_min) and (f.page_max is None or p.page_start <= f.page_max))


def brute_force_relevant(searcher, question) -> set[int]:
    """Independently of FAISS, the posting lists and the cached masks: the relevant passages as
    search/relevance.py defines them, by numpy and Python over every passage."""
    index, s = searcher.index, searcher.settings.relevance
    passages = all_passages(index)
    q = searcher.embedder.queries([question])[0]
    vids = sorted(passages)
    dense = {v: float(index.vectors.vector(v) @ q) for v in vids}
    pool = set(sorted(vids, key=lambda v: -dense[v])[: s.pool])
    spelling = searcher.spell(question)
    stems, surface = analyse(spelling.lexical_query), set(words(spelling.lexical_query))
    titles = index.store.titles()
    header = {v: p.context_header(titles[p.doc_id]) for v, p in passages.items()}
    terms = {v: set(analyse(p.text)) | set(analyse(header[v])) for v, p in passages.items()}
    pool |= {v for v, p in passages.items() if terms[v] & set(stems) or surface & set(words(f"{header[v]} {p.text}"))}
    df = Counter(t for v in vids for t in terms[v])
    n = len(vids)

    def idf(t):
        return max(math.log((n - df[t] + 0.5) / (df[t] + 0.5)) if df[t] else math.log((n + 0.5) / 0.5), 1e-6)
    unique = list(dict.fromkeys(stems))
    background = float(np.sort(Background(searcher.embedder).vectors @ q)[-3:].mean())
    relevance = {}
    for v in pool:
        best = max([dense[v], *(index.sentences.of(v) @ q)])
        share = sum(idf(t) for t in unique if t in terms[v]) / sum(idf(t) for t in unique) if unique else 0.0
        relevance[v] = best - background + s.lexical_weight * share
    if not unique or max(relevance.values()) < s.gate:
        return set()
    return {v for v, r in relevance.items() if r >= s.floor}


def brute_force_result_set(searcher, question, f: Filters) -> set[int]:
    passages = all_passages(searcher.index)
    return {v for v in brute_force_relevant(searcher, question) if passes(passages[v], f)}


@pytest.mark.parametrize("filters", [
    Filters(),
    Filters(entry_point=["temoignage"]),
    Filters(lever=["alliance"], trade=["accompagnement"]),
    Filters(sdg=[8, 11], page_min=20, page_max=40),
    Filters(entry_point=["eclairage", "methode"], lever=["numerique", "evaluer"], lang=["fr"]),
])
def test_facet_counts_equal_a_brute_force_count(searcher, filters):
    result = answer(searcher, QUESTION, k=10, filters=filters)
    expected_set = brute_force_result_set(searcher, QUESTION, filters)
    assert result["total"] == len(expected_set)
    passages = searcher.index.store.passages(sorted(expected_set))
    for facet in ("levers", "sdg", "trades"):
        expected = Counter(str(l.id) for p in passages.values() for l in getattr(p.tags, facet))
        assert {str(x["id"]): x["count"] for x in result["facets"][facet]} == dict(expected)
    expected = Counter(p.tags.entry_point.id for p in passages.values())
    assert {x["id"]: x["count"] for x in result["facets"]["entry_point"]} == dict(expected)
    assert all(passes(searcher.index.store.passages([searcher.index.store.vid_of(r["id"])])
                      [searcher.index.store.vid_of(r["id"])], filters) for r in result["results"])


def test_groups_cover_every_entry_point_with_matches(searcher):
    result = answer(searcher, QUESTION, k=10)
    with_matches = {x["id"] for x in result["facets"]["entry_point"] if x["count"]}
    assert len(with_matches) >= 3
    groups = {g["entry_point"]: g for g in result["groups"]}
    assert set(groups) == with_matches
    for ep, g in groups.items():
        assert g["results"] and all(r["entry_point"]["id"] == ep for r in g["results"])


def _on_its_page(searcher, sentence: dict) -> bool:
    """The sentence's first words lie on the page it cites, in its publication's own text."""
    document = searcher.index.store.document(sentence["doc_id"])
    starts = document.page_starts + [len(document.text)]
    page_text = " ".join(document.text[starts[sentence["page"] - 1]:starts[sentence["page"]]].split())
    return " ".join(sentence["text"].split()[:6]) in page_text


def test_overview_sentences_come_from_the_top_results_each_with_its_own_page(searcher):
    result = answer(searcher, "Comment La Poste coopère-t-elle avec l'économie sociale et solidaire ?")
    sentences = result["overview"]["sentences"]
    assert 3 <= len(sentences) <= 5
    top = {r["id"]: r for r in result["results"][:5]}
    for s in sentences:
        passage = top[s["passage_id"]]
        assert passage["page_start"] <= s["page"] <= passage["page_end"] and s["location"] == f"p. {s['page']}"
        assert s["text"][:40] in " ".join(passage["text"].split())
        assert _on_its_page(searcher, s)
    assert len({s["text"] for s in sentences}) == len(sentences)
    assert any("Poste" in o["name"] for o in result["overview"]["organisations"])


def test_a_sentence_of_a_passage_over_two_pages_cites_the_page_it_is_on(searcher):
    """Not its passage's first page: the reader opens the PDF where the sentence is."""
    cited = []
    for question in ("Pierre Mauroy", "le risque ressourciste", "micro-crédit personnel Caisse d'Epargne emplois",
                     "Quels sont les 4 métiers de la catalyse territoriale ?"):
        result = answer(searcher, question)
        spans = {r["id"]: (r["page_start"], r["page_end"]) for r in result["results"]}
        cited += [(s, spans[s["passage_id"]]) for s in result["overview"]["sentences"]]
    assert all(_on_its_page(searcher, s) for s, _ in cited)
    assert any(s["page"] > first for s, (first, last) in cited if last > first)   # a second page is cited


def test_the_overview_quotes_no_heading_introduction_or_question(searcher):
    """The framing of a round table (« Emma Ghariani, vous êtes… », « Quels sont vos principaux
    constats ? », a section's heading) shares the reader's words but answers nothing."""
    for question in ("nombre de Français en situation de fracture numérique",
                     "Quels freins et leviers de la grande transformation le rapport du Comité 21 met-il en avant ?"):
        result = answer(searcher, question)
        headings = {h for r in result["results"] for h in r["section"].split(" › ")}
        for s in result["overview"]["sentences"]:
            assert "?" not in s["text"] and ", vous êtes" not in s["text"]
            assert not any(s["text"].startswith(h) for h in headings)


def test_related_never_returns_the_source_and_respects_filters(searcher):
    source = searcher.search("tiers-lieu autogéré par des jeunes à Orléans", k=1).hits[0].passage
    hits = related(searcher, source_id=source.id, k=5)
    assert len(hits) == 5
    assert all(h.passage.id != source.id and h.passage.section != source.section for h in hits)
    assert len({h.passage.tags.entry_point.id for h in hits}) >= 2       # across entry points
    only = related(searcher, source_id=source.id, k=5, filters=Filters(entry_point=["eclairage"]))
    assert only and all(h.passage.tags.entry_point.id == "eclairage" for h in only)


def test_related_from_a_document_or_free_text(searcher, fresh, tmp_path, embedder, ingested):
    from index.index import Index
    from search.searcher import Searcher

    for name in ("kit-a", "kit-b"):
        (tmp_path / f"{name}.md").write_text(
            f"# {name}\n\nUn tiers-lieu géré par des jeunes accueille les porteurs de projets du quartier {name}, "
            "avec un fablab, un espace de coworking et des ateliers ouverts aux habitants le samedi.\n", encoding="utf-8")
        fresh.add([(tmp_path / f"{name}.md", {})])
    fresh.add_ingested([ingested])      # the proceedings' passages around them, as the session read them
    s = Searcher(Index.current(fresh.data_dir), embedder)
    from_doc = related(s, source_id="kit-a", k=3)
    assert from_doc and all(h.passage.doc_id != "kit-a" for h in from_doc)
    assert from_doc[0].passage.doc_id == "kit-b"
    from_text = related(s, text="Un tiers-lieu pour les jeunes avec un fablab dans le quartier", k=3)
    assert {h.passage.doc_id for h in from_text} & {"kit-a", "kit-b"}


def test_odd_queries_get_a_sensible_answer(searcher):
    assert answer(searcher, "")["results"] == []
    assert answer(searcher, "   \x00\x1f  ")["results"] == []
    long = answer(searcher, "alliances " * 200)
    assert long["notices"] and long["results"]
    assert answer(searcher, "🌍 ODD 17 ✨ جمعيات")["query"]


@pytest.mark.parametrize("question", [QUESTION, "tiers-lieu autogéré par des jeunes à Orléans",
                                      "mesurer l'impact des alliances", "What is the digital fragility index?"])
def test_each_facet_count_is_the_total_once_ticked(searcher, question):
    """The honest result set: the count a facet value shows is exactly what ticking it gives, also
    on top of another filter (values of a group not yet filtered)."""
    for base in (Filters(), Filters(entry_point=["temoignage"]), Filters(lever=["alliance"])):
        shown = answer(searcher, question, filters=base)
        assert shown["total"] > 0, (question, base)
        checked = 0
        for facet in FACETS:
            if getattr(base, facet.param):
                continue
            for value in shown["facets"][facet.key]:
                ticked = answer(searcher, question, filters=dataclasses.replace(base, **{facet.param: [value["id"]]}))
                assert ticked["total"] == value["count"], (question, base, facet.key, value)
                assert len(ticked["results"]) == min(10, value["count"])
                checked += 1
        assert checked >= 5


def test_relevant_set_is_smaller_than_the_passages_sharing_a_word(searcher):
    """A passage that merely shares a word with the question is not counted: for a precise question
    the result set is under half of the passages sharing one of its terms."""
    question = "tiers-lieu autogéré par des jeunes à Orléans"
    spelling = searcher.spell(question)
    _, sharing = searcher.lexical.search(spelling.lexical_query, 1)
    shown = answer(searcher, question)
    assert 0 < shown["total"] < len(sharing) / 2, (shown["total"], len(sharing))
    assert shown["overview"] and shown["results"]


@pytest.mark.parametrize("question", ["zzqx blorf vrump", "le la les", "recette de la tarte tatin aux pommes",
                                      "score du match PSG contre l'Olympique de Marseille"])
def test_a_question_with_nothing_relevant_gets_nothing_and_a_message(searcher, question):
    shown = answer(searcher, question)
    assert shown["total"] == 0 and shown["results"] == [] and shown["groups"] == []
    assert shown["overview"] is None
    assert question in shown["message"] and shown["suggestions"]["examples"]
    assert all(v["count"] == 0 for values in shown["facets"].values() for v in values)


def test_a_question_naming_what_no_publication_holds_gets_nothing_and_says_which(searcher):
    """« Rennes » appears nowhere: the question's other words (plan local, intercommunal, métropole)
    match the corpus's subject, yet nothing answers it. The reader is told which name is missing."""
    question = "plan local d'urbanisme intercommunal de Rennes Métropole"
    assert searcher.spell(question).absent == ("Rennes",)
    shown = answer(searcher, question)
    assert shown["total"] == 0 and shown["overview"] is None and shown["results"] == []
    assert "Aucune publication ne mentionne « Rennes »" in shown["message"]


@pytest.mark.parametrize("question, absent", [
    ("tiers-lieu autogéré par des jeunes à Orléans", ()),           # a place the proceedings name
    ("Comment La Poste coopère-t-elle avec l'ESS ?", ()),            # an organisation, an acronym
    ("Que fait Pierre Mauroi pour les communes ?", ()),             # misspelt: corrected, so held
    ("Les ODD à Grenoble. Et à Brest ?", ("Grenoble", "Brest")),    # after a sentence's first word too
    ("Rennes et la participation", ()),                              # a first word may be any word
])
def test_names_absent_from_every_publication(searcher, question, absent):
    assert searcher.spell(question).absent == absent


def test_a_name_absent_beside_a_well_covered_subject_is_reported_not_hidden(searcher):
    """The corpus answers the rest strongly: results stay, with a notice naming what it lacks."""
    shown = answer(searcher, "le garage solidaire de Grenoble")
    assert shown["total"] > 0
    assert "Aucune publication ne mentionne « Grenoble »" in shown["notices"]


def test_a_target_number_brings_its_target_first(searcher):
    """« 17.17 » is a term of its own: the ODD publication's passage holding target 17.17 comes
    first, not one of the many holding two « 17 »."""
    shown = answer(searcher, "que dit la cible 17.17 ?")
    assert "Cible 17.17" in shown["results"][0]["text"]


@pytest.mark.parametrize("question", [QUESTION, "mesurer l'impact des alliances"])
def test_refinements_count_what_a_click_gives_with_values_of_one_facet_ored(searcher, question):
    """The filter panel's counts: for a value not ticked, the total once it is ticked too (values of
    one facet OR-ed, facets AND-ed); every value of a taxonomy listed, in its order, even at 0."""
    from ingest.taxonomy import ids

    first = answer(searcher, question)
    ep = next(v["id"] for v in first["refinements"]["entry_point"] if v["count"])
    for base in (Filters(entry_point=[ep]), Filters(entry_point=[ep], lever=["alliance"])):
        shown = answer(searcher, question, filters=base)
        choices = shown["refinements"]
        assert [v["id"] for v in choices["levers"]] == ids("levers")
        assert [v["id"] for v in choices["sdg"]] == list(range(1, 18))
        checked = 0
        for facet in ("entry_point", "levers", "trades"):
            param = next(f.param for f in FACETS if f.key == facet)
            for value in choices[facet]:
                if value["selected"]:
                    assert value["count"] == next((x["count"] for x in shown["facets"][facet] if x["id"] == value["id"]), 0)
                    continue
                ticked = dataclasses.replace(base, **{param: [*getattr(base, param), value["id"]]})
                assert answer(searcher, question, filters=ticked)["total"] == value["count"], (facet, value)
                checked += 1
        assert checked >= 10


def test_a_spoken_enumeration_cut_by_a_passage_boundary_is_quoted_as_one_block(searcher):
    """« J'en ai tiré trois enseignements. D'abord, … » ends one passage, « Le 2ème enseignement, … »
    begins the next: a list question gets the items together."""
    result = answer(searcher, "Quels enseignements la Fondation RTE tire-t-elle de la journée des catalyseurs "
                              "à Clermont-Ferrand ?")
    sentences = [s["text"] for s in result["overview"]["sentences"]]
    block = next(s for s in sentences if "D’abord, nous étions en présence" in s)
    assert "Le 2ème enseignement" in block
    first, second = (searcher.search(q, 1).hits[0].passage for q in ("D’abord, nous étions en présence dans un département",
                                                                    "Le 2ème enseignement, c’est que ces catalyseurs territoriaux"))
    assert first.id != second.id                      # the two items lie in two passages
    assert len(set(sentences)) == len(sentences) and not any(s in block for s in sentences if s != block)


def test_a_list_that_passages_cut_is_quoted_whole_without_its_guiding_questions(searcher):
    """The 7 levers (p. 4) run over three passages, each lever followed by its guiding questions:
    « les 7 leviers » gets the seven in one sentence, without the questions."""
    levers = ["Qualifier son innovation", "Comprendre son écosystème", "Définir sa stratégie",
              "Transformer son modèle socio-économique", "Apprendre à faire alliance",
              "Accélérer grâce au numérique", "Evaluer sa pertinence"]
    holders = {searcher.search(f"▪ {lever}", 1).hits[0].passage.id for lever in levers}
    assert len(holders) >= 2                                       # the passages cut the list
    for question in ("les 7 leviers", "Quels sont les 7 leviers de la co-construction territoriale ?"):
        sentences = answer(searcher, question)["overview"]["sentences"]
        listed = next(s for s in sentences if "Qualifier son innovation" in s["text"])
        assert all(lever in listed["text"] for lever in levers) and "?" not in listed["text"]
        assert listed["location"] == "p. 4"
