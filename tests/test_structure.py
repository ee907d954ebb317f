"""Structure recovered from the real proceedings: pages, sections, speakers, no footers."""
import re

import pytest

from ingest.structure import organisation_of, segments_of


def passage_with(ingested, fragment):
    flat = re.sub(r"\s+", " ", fragment)
    found = [p for p in ingested.passages if flat in re.sub(r"\s+", " ", p.text)]
    assert found, fragment
    return found[0]


@pytest.mark.parametrize("fragment, page", [
    ("« Eclairage » - Conseil Général de l’Environnement", 24),
    ("Témoignage d’Olivier GUILBAUD", 29),
    ("Ce qui marque l’étape actuelle, c’est que nous sommes à « mi-chemin »", 62),
    ("Elle se traduit par une ingénierie qui se matérialise par 4 métiers", 40),
    ("Les résultats du sondage URGENCE-Covid-Citoyens", 1),
])
def test_page_numbers_of_known_passages(ingested, fragment, page):
    assert passage_with(ingested, fragment).page_start == page


@pytest.mark.parametrize("fragment, speaker, organisation", [
    ("J’ai été très agréablement surprise pendant cette mission", "Cathy RACON-BOUZON", None),
    ("indicateurs d’impact nous semblent être quelque chose", "Philippe DESSERTINE", "Comité 21"),
    ("On expérimente des méthodes pour promouvoir le décloisonnement", "Charlotte Debray", "La Fonda"),
    ("Villes au Carré est fondé sur l’envie d’alliances", "Cécile Dublanche", "Villes au Carré"),
    ("La Fondation de France est le premier réseau de philanthropie", "Axelle Davezac", "Fondation de France"),
    ("Nous sommes une entreprise mutualiste", "Anne-Marie Harster", None),
    ("Ce travail a constitué un énorme boulot d'observation", "Pierre NARRING",
     "Conseil général de l’environnement et du développement durable"),
    ("L’engagement territorial est important et nécessaire", "Olivier GUILBAUD", "Laboratoire Science et Nature"),
    ("Il y a 7 ans, mes prédécesseurs lancent", "Muriel Barneoud", "Groupe La Poste"),
    ("La fondation RTE intervient au service des territoires ruraux", "Frédéric Dohet", "Fondation RTE"),
    ("La rencontre et l'animation des liens entre les acteurs de territoire", "Elodie Jullien",
     "Réseau des pionniers des alliances en Territoire"),
    ("Notre prisme d’entrée est le dialogue territorial", "Frédérique Marquet", "Paris Est Marne & Bois"),
    ("La Fondation de Lille est créée à l’initiative de Pierre Mauroy", "Delphine VANDEVOORDE", "Fondation de Lille"),
    ("Ce qui marque l’étape actuelle", "Charles-Benoît Heidsieck", "Réseau des pionniers des alliances en Territoire"),
])
def test_speaker_attribution(ingested, fragment, speaker, organisation):
    passage = passage_with(ingested, fragment)
    assert (passage.speaker, passage.organisation) == (speaker, organisation)   # None: the text names none


def test_section_kinds_follow_the_editorial_wording(ingested):
    assert passage_with(ingested, "Témoignage d’Olivier GUILBAUD").section_kind == "temoignage"
    assert passage_with(ingested, "« Eclairage » - Conseil Général").section_kind == "eclairage"
    assert passage_with(ingested, "kit « L’ODD 17 en pratique »").section_kind in ("outillage", "programme")
    assert passage_with(ingested, "« Outillage » du Comité 21").section_kind == "outillage"
    synthese = passage_with(ingested, "Trois étapes expérimentées dans le cadre du programme Faire Ensemble 2030")
    assert synthese.section_kind == "synthese" and synthese.section[-1] == "En synthèse"


def test_no_passage_crosses_a_section(ingested):
    segments = segments_of(ingested.document)
    for p in ingested.passages:
        holders = [s for s in segments if s.start <= p.start and p.end <= s.end]
        assert len(holders) == 1, p.text[:80]
        assert holders[0].section == p.section
        speaker = holders[0].speaker.name if holders[0].speaker else None
        assert speaker == p.speaker


def test_offsets_and_pages_point_into_the_document(ingested):
    doc = ingested.document
    assert doc.pages == 63
    for p in ingested.passages:
        assert doc.text[p.start:p.end] == p.text
        assert 1 <= p.page_start <= p.page_end <= 63


def test_no_footer_text_remains(ingested):
    assert "Actes « 6ème rencontre" not in ingested.document.text
    assert not any(re.search(r"Actes « 6ème rencontre des pionniers", p.text) for p in ingested.passages)


def test_passages_are_sized_for_reading(ingested):
    sizes = [len(p.text.split()) for p in ingested.passages]
    assert max(sizes) <= 150 + 75          # a short tail may join the passage before it
    assert min(sizes) >= 12
    assert sorted(sizes)[len(sizes) // 2] >= 60


def test_passages_carry_language_and_entities(ingested):
    assert {p.language for p in ingested.passages} == {"fr"}
    p = passage_with(ingested, "La Fondation de Lille est créée à l’initiative de Pierre Mauroy")
    assert "Pierre Mauroy" in p.entities.get("people", [])
    assert any("Lille" in e for e in p.entities.get("places", []) + p.entities.get("organisations", []))


def test_ids_are_stable(ingested, index):
    """Two runs of the pipeline over the proceedings give the same ids: the session index's (read
    through ``Indexer.add``) and the in-memory one's."""
    stored = index.store.passages(index.store.vids_of_document(ingested.document.id))
    assert len(stored) == len(ingested.passages) > 200
    assert [stored[vid].id for vid in sorted(stored)] == [p.id for p in ingested.passages]


@pytest.mark.parametrize("role, organisation", [
    ("Directrice Générale de la Fondation de France", "Fondation de France"),
    ("Directeur Général de l’Agence Nationale de la Cohésion des Territoires",
     "Agence Nationale de la Cohésion des Territoires"),
    ("déléguée nationale en charge de la RSE – MGEN/ Groupe Vyv", "MGEN/ Groupe Vyv"),
    ("Président, Réseau des pionniers des alliances en Territoire", "Réseau des pionniers des alliances en Territoire"),
    ("Co-Directrice de la MedNum. La MedNum est la coopérative", "MedNum"),
    ("Députée, Vice-Présidente de la commission des affaires culturelles", None),
])
def test_organisation_of_a_role(role, organisation):
    assert organisation_of(role) == organisation
