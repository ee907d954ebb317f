"""Hybrid search on the real corpus: filters, typos, English questions."""
from search.filters import Filters


def texts(results):
    return [" ".join(h.passage.text.split()) for h in results.hits]


def test_typo_query_finds_what_the_right_spelling_finds(searcher):
    right = {h.passage.id for h in searcher.search("catalyse territoriale", k=5).hits}
    typo = searcher.search("catalise teritoriale", k=5)
    assert typo.spelling.corrections == {"catalise": "catalyse", "teritoriale": "territoriale"}
    assert len(right & {h.passage.id for h in typo.hits}) >= 3


def test_english_question_finds_its_french_answer(searcher):
    found = texts(searcher.search("What is the digital fragility index and who can use it?", k=5))
    assert any("indice de fragilité numérique" in t or "positionner géographiquement" in t for t in found)


def test_filters_combine(searcher, index):
    f = Filters(entry_point=["temoignage"], lever=["alliance"], page_min=30, page_max=45)
    hits = searcher.search("alliances entre entreprises et territoires", k=10, filters=f).hits
    assert hits
    for h in hits:
        p = h.passage
        assert p.tags.entry_point.id == "temoignage" and "alliance" in [l.id for l in p.tags.levers]
        assert p.page_end >= 30 and p.page_start <= 45


def test_a_filter_matching_nothing_returns_nothing(searcher):
    assert searcher.search("alliances", filters=Filters(doc=["aucun-document"])).hits == []


def test_no_section_fills_the_top_ten(searcher):
    hits = searcher.search("Quels sont les 4 métiers de la catalyse territoriale ?", k=10).hits
    sections = [h.passage.section for h in hits]
    assert max(sections.count(s) for s in sections) <= 3


def test_search_is_batchsearch_of_one(searcher):
    one = searcher.search("tiers-lieu à Orléans", k=5)
    batch = searcher.batchsearch(["tiers-lieu à Orléans", "mécénat"], k=5)[0]
    assert [h.passage.id for h in one.hits] == [h.passage.id for h in batch.hits]


def test_a_programme_ranks_below_what_answers_yet_is_found_when_asked_for(searcher):
    """An agenda names every session, so it shares words with any question about the event and answers
    none: its passages are scored down, never taken out of the result set."""
    agenda = searcher.agenda
    assert agenda and all(p.section_kind == "programme" for p in searcher.index.store.passages(sorted(agenda)).values())
    found = searcher.search("Quels sont les 4 métiers de la catalyse territoriale ?", k=10)
    assert agenda & {v for v, _ in found.ranked}                  # relevant, counted in the total…
    assert not agenda & {h.vid for h in found.hits}                # …but not crowding the answers
    asked = searcher.search("programme de la journée pause déjeuner", k=3)
    assert {h.vid for h in asked.hits} <= agenda                   # asked for by its own words, it comes first
