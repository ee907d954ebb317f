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
