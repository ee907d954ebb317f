"""One name per concept: the glossary module, its page and the code that names things after it agree."""
import dataclasses

from conftest import REPO
from ingest.glossary import FACETS, PARAMS, TERMS
from ingest.taxonomy import taxonomy

PAGE = (REPO / "docs" / "glossary.md").read_text(encoding="utf-8")


def test_the_page_lists_every_french_term_with_its_identifier():
    missing = [f"{fr} → {ident}" for fr, ident in TERMS.items() if f"| {fr} | `{ident}` |" not in PAGE]
    assert not missing, missing


def test_the_page_lists_every_facet_as_the_module_does():
    for f in FACETS:
        taxonomy_cell = f"`{f.taxonomy}`" if f.taxonomy else "—"
        row = f"| `{f.key}` | `{f.param}` | `{f.column}` | {taxonomy_cell} | {f.title} |"
        assert row in PAGE, row


def test_the_page_names_every_taxonomy_identifier():
    for name in ("levers", "trades", "entry_points"):
        missing = [t.id for t in taxonomy()[name] if f"`{t.id}`" not in PAGE]
        assert not missing, (name, missing)


def test_filters_have_one_field_per_url_parameter():
    from search.filters import Filters

    assert [f.name for f in dataclasses.fields(Filters)] == [*PARAMS, "page_min", "page_max"]


def test_every_facet_reads_a_column_the_index_has():
    from index.columns import CODED, LABEL_FACETS

    assert {f.column for f in FACETS} == set(CODED) | set(LABEL_FACETS)
    assert {f.taxonomy for f in FACETS if f.taxonomy} == set(taxonomy())
