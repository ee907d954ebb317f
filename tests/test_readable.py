"""What the overview may quote of a passage: framing lines (headings, a guest's introduction,
questions) taken out, sentence units kept in place. Texts shaped like the proceedings' own."""
from ingest.sentences import sentence_units
from search.readable import readable_units

INTERVIEW = ("Emma Ghariani, vous êtes Co-Directrice de la MedNum.\n"
             "La MedNum est la coopérative\nnationale des acteurs de la médiation numérique.\n"
             "13 millions de français sont en situation de\nfracture numérique\n"
             "Quels sont vos principaux constats ?\n"
             "Les enjeux numériques ont trois dimensions : connexion, équipements et usages.")


def test_a_guests_introduction_and_the_questions_put_to_them_are_not_read():
    units = sentence_units(INTERVIEW)
    readable = readable_units(INTERVIEW)
    assert len(readable) == len(units)                       # one per unit: the stored sentence vectors' rows
    assert readable[0] == ""                                 # « …, vous êtes Co-Directrice… »
    assert "La MedNum est la coopérative nationale des acteurs de la médiation numérique." in readable
    assert not any("?" in r or "constats" in r for r in readable)
    # the figure set on the line before the question is a statement: it stays
    assert "13 millions de français sont en situation de fracture numérique" in readable


def test_a_heading_of_the_section_path_or_set_apart_is_not_read_but_the_text_under_it_is():
    text = ("Atelier 1 : Une vitrine pour le réseau\n\n"
            "Présentation des principaux enseignements du rapport du\nComité 21\n\n"
            "En synthèse\nLe développement du numérique a des impacts sur les usages et les compétences.\n\n"
            "Nous avons identifié beaucoup de freins et leviers dans ce rapport.")
    readable = [r for r in readable_units(text, ("Le numérique en territoire", "En synthèse",
                                                 "Atelier 1 : Une vitrine pour le réseau")) if r]
    assert readable == ["Le développement du numérique a des impacts sur les usages et les compétences.",
                        "Nous avons identifié beaucoup de freins et leviers dans ce rapport."]


def test_an_announced_list_keeps_its_items_and_loses_only_their_questions():
    text = ("Chaque territoire, selon sa maturité, est éclairé sur les 7 leviers de la co-construction :\n"
            "▪ Qualifier son innovation : Quelles en sont les caractéristiques\n(en termes de solution) ?\n"
            "▪ Evaluer son impact : Comment mesurer la valeur créée ?")
    readable = " ".join(readable_units(text))
    assert "est éclairé sur les 7 leviers de la co-construction :" in readable
    assert "Qualifier son innovation" in readable and "Evaluer son impact" in readable
    assert "?" not in readable and "caractéristiques" not in readable


def test_plain_prose_is_read_whole():
    text = ("Le Groupe est présent sur les territoires grâce à l'implication des élus. Il soutient "
            "des projets d'alliances depuis 2014, avec les collectivités et les associations.")
    assert " ".join(r for r in readable_units(text) if r) == " ".join(text.split())


def test_a_colon_before_bullets_announces_the_list_that_follows():
    from search.overview import blocks

    units = ["Les participants ont proposé : • Création d'une rubrique « agenda » sur les alliances",
             "• Sur la rubrique « exemples », intégrer une story telling pour les catalyseurs",
             "La discussion a ensuite porté sur l'annuaire du réseau."]
    assert [text for text, _ in blocks(units)] == [" ".join(units[:2]), units[2]]


def test_the_items_of_a_spoken_enumeration_are_recognised_at_any_sentence_start():
    from search.overview import is_spoken_item

    assert is_spoken_item("J'en ai tiré trois enseignements. D’abord, le département sait jouer collectif.")
    assert is_spoken_item("Le 2ème enseignement, c'est que les catalyseurs ont des compétences propres.")
    assert is_spoken_item("3e enseignement : la co-construction prend du temps.")
    assert is_spoken_item("Un deuxième groupe important, c'est celui des décideurs.")
    assert not is_spoken_item("Nous avons beaucoup insisté sur l'importance du territoire.")
    assert not is_spoken_item("Le 10 mars dernier, la journée a réuni 2 000 personnes.")
