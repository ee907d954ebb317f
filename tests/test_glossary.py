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


# -- « kind » names one concept: an actor's kind (person or organisation) --------------------------------
ACTOR_KINDS = {"person", "organisation"}


def test_kind_is_one_concept_in_the_glossary():
    """Before 0.3.0 a publication's genre, an actor's kind and a backup manifest were all « kind »."""
    assert [fr for fr, ident in TERMS.items() if ident == "kind"] == ["type d'acteur"]
    rows = [line for line in PAGE.splitlines() if line.startswith("| ") and line.split("|")[2].strip() == "`kind`"]
    assert len(rows) == 1 and rows[0].startswith("| type d'acteur |"), rows


def test_the_glossary_says_what_changed_in_this_version():
    from api.app import API_VERSION

    assert f"Changed in {API_VERSION} (API version" in PAGE


def kinds_in(payload, path="") -> list[tuple[str, object]]:
    """(where, value) of every « kind » key of a JSON payload, however deep."""
    if isinstance(payload, dict):
        return [(f"{path}.{key}", value) for key, value in payload.items() if key == "kind"] + \
            [hit for key, value in payload.items() for hit in kinds_in(value, f"{path}.{key}")]
    if isinstance(payload, list):
        return [hit for i, value in enumerate(payload) for hit in kinds_in(value, f"{path}[{i}]")]
    return []


def test_the_check_sees_a_kind_anywhere():
    assert kinds_in({"a": [{"b": {"kind": "kit"}}], "kind": None}) == [(".kind", None), (".a[0].b.kind", "kit")]


def test_kind_in_the_apis_payloads_is_an_actors_kind(server):
    """Every « kind » the JSON API answers is an actor's: none in the publications (their ``genre``),
    the search or the jobs; the directory's and an actor's are ``person`` or ``organisation``."""
    import httpx

    from conftest import AUTH

    with httpx.Client(base_url=server["url"], timeout=120) as api:
        documents = api.get("/api/documents").json()
        assert documents["documents"] and all("genre" in d["metadata"] for d in documents["documents"]
                                              if d["id"] in ("actes-6e-rencontre-2020", "odd-objectifs-et-cibles"))
        for path, params, headers in [("/api/documents", {}, {}), ("/api/documents/actes-6e-rencontre-2020", {}, {}),
                                      ("/api/search", {"q": "mécénat de compétences"}, {}),
                                      ("/api/jobs", {}, AUTH), ("/health", {}, {})]:
            answer = api.get(path, params=params, headers=headers)
            assert answer.status_code == 200, (path, answer.text[:200])
            assert kinds_in(answer.json()) == [], path
        directory = api.get("/api/actors", params={"kind": "organisation", "per_page": 20}).json()
        found = kinds_in(directory)
        assert found[0] == (".kind", "organisation") and len(found) == 1 + len(directory["actors"]) > 1
        assert {value for _, value in found} == {"organisation"}
        actor = api.get(f"/api/actors/{directory['actors'][0]['id']}").json()
        assert kinds_in(actor) and {value for _, value in kinds_in(actor)} <= ACTOR_KINDS


def test_kind_in_the_forms_is_an_actors_kind():
    """The page's forms: only the directory's filter is called « kind » (the upload form says « genre »)."""
    import re

    named = {path.name: re.findall(r'(?:name|id)="([^"]*kind[^"]*)"', path.read_text(encoding="utf-8"))
             for path in (REPO / "api" / "templates").glob("*.html")}
    assert {name: found for name, found in named.items() if found} == {"actors.html": ["actor-kind", "kind"]}
    script = (REPO / "api" / "static" / "editor.js").read_text(encoding="utf-8")
    assert '"genre"' in script and '"kind"' not in script
