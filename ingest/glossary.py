"""The project's vocabulary: one English identifier per concept, from the French words users read
(docs/glossary.md explains each; a test checks it lists everything here).

A concept has one name; a collection of its values is that name's plural (a passage's ``levers``,
a facet's counts, a taxonomy), ``sdg`` being invariable and a passage having one ``entry_point``.
The public API's names are kept as they were published: its URL parameters carry one value each
and are singular (``lever``, ``trade``), and documents and languages are ``doc`` and ``lang``
there. ``FACETS`` is the one table that goes from a facet to its parameter, its column and its
French title; nothing else translates names.

A passage has three identities:
- ``id`` — a string, ``{doc_id}:{12 hex digits}`` (``Passage.make_id``), stable across re-ingestion
  of the same text: the public one (API results, related resources, links);
- ``vid`` — an integer given by the store's counter when the passage is written (``Store.next_vids``),
  never reused: the key of FAISS, of the sentence vectors and of the store's tables;
- ``row`` — a position in the arrays of one loaded snapshot (``index.columns.Columns``, the lexical
  postings), which are sorted by vid: what filter masks and facet counts index, valid for that
  snapshot only (``Columns.rows_of`` turns vids into rows)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Facet:
    """A field of a passage that questions filter on and the page counts."""

    key: str                # its name in a payload's ``facets`` and, when a result has it, in the result
    param: str              # the URL and command-line parameter (one value each), and the Filters field
    column: str             # the field of ``index.columns.Columns`` it reads (the store's name)
    taxonomy: str | None    # the taxonomy giving its French labels (None: a value is its own label)
    title: str              # what the page calls it


FACETS: tuple[Facet, ...] = (
    Facet("levers", "lever", "levers", "levers", "Leviers"),
    Facet("sdg", "sdg", "sdg", "sdg", "ODD"),
    Facet("trades", "trade", "trades", "trades", "Métiers"),
    Facet("entry_point", "entry_point", "entry_point", "entry_points", "Points d'entrée"),
    Facet("doc", "doc", "doc_id", None, "Publications"),
    Facet("lang", "lang", "language", None, "Langues"),
)
PARAMS: tuple[str, ...] = tuple(f.param for f in FACETS)

# French term users read → the identifier the code, the JSON and the URLs use.
TERMS: dict[str, str] = {
    "publication": "document",
    "identifiant de publication": "doc_id",
    "passage": "passage",
    "section": "section",
    "nature de la section": "section_kind",
    "nature de la publication": "genre",
    "intervenant": "speaker",
    "acteur": "actor",
    "type d'acteur": "kind",
    "annuaire des acteurs (« Qui fait quoi »)": "directory",
    "langue": "language",
    "leviers": "levers",
    "ODD": "sdg",
    "cibles": "targets",
    "métiers": "trades",
    "points d'entrée": "entry_point",
    "témoignage": "temoignage",
    "outillage": "outil",
    "méthode": "methode",
    "éclairage": "eclairage",
    "étiquette": "label",
    "aperçu": "overview",
    "ressources liées": "related",
    "instantané": "snapshot",
    "tâche d'édition": "job",
    "action d'une tâche": "action",
    "correction": "correction",
    "type de question": "question_type",
    "journal des questions": "question_log",
    "sauvegarde": "backup",
    "identifiant de requête": "request_id",
}
