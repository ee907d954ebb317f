"""The labelled tagging set and the actors ground truth (ingest/taxonomy/labelled/, tests/data/actors.json)
hold what their README promises: valid identifiers, evidence quoted from the text, passages that are
the engine's own cut of the bundled publications, enough examples of every label, and actor names
that the proceedings really spell that way."""
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from ingest.readers import read_document
from ingest.taxonomy import ids

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
LABELLED = REPO / "ingest" / "taxonomy" / "labelled" / "labelled.jsonl"
SECOND = REPO / "ingest" / "taxonomy" / "labelled" / "second_pass.jsonl"
ACTORS = DATA / "actors.json"
CORPUS = REPO / "corpus"
FIELDS = {"id", "source", "doc_id", "page", "section", "group", "section_kind", "text", "levers", "sdg", "trades",
          "entry_point", "evidence", "passage_id"}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def flat(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'")
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def rows():
    return load(LABELLED)


@pytest.fixture(scope="module")
def proceedings():
    return read_document(CORPUS / "actes-6e-rencontre-2020.pdf")


def test_every_row_has_the_schema_and_known_labels(rows):
    levers, sdg, trades, entry_points = (set(ids(f)) for f in ("levers", "sdg", "trades", "entry_points"))
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r) == FIELDS, r["id"]
        assert r["source"] in {"proceedings", "written", "publication"}
        assert set(r["levers"]) <= levers and len(r["levers"]) <= 3 and len(set(r["levers"])) == len(r["levers"])
        assert set(r["sdg"]) <= sdg and r["sdg"] == sorted(set(r["sdg"])), r["id"]
        assert set(r["trades"]) <= trades and len(set(r["trades"])) == len(r["trades"])
        assert r["entry_point"] in entry_points
        assert r["page"] is None or isinstance(r["page"], int)


def test_every_label_has_evidence_quoted_from_its_passage(rows):
    for r in rows:
        labels = r["levers"] + [str(n) for n in r["sdg"]] + r["trades"] + [r["entry_point"]]
        assert set(r["evidence"]) == set(labels), r["id"]
        for label, words in r["evidence"].items():
            assert words and words in r["text"], (r["id"], label)


def test_proceedings_passages_are_the_engines_cut_with_their_page(rows, proceedings):
    mine = [r for r in rows if r["source"] == "proceedings"]
    assert len(mine) >= 160
    for r in mine:
        start = proceedings.text.find(r["text"])
        assert start >= 0, r["id"]
        assert proceedings.page_at(start) == r["page"], r["id"]
    assert {r["page"] for r in mine} >= set(range(1, 63)) - {14, 15, 23, 28, 35}  # pages with no text of their own


def test_publication_passages_come_from_the_odd_publication(rows):
    text = read_document(CORPUS / "odd-objectifs-et-cibles.md").text
    mine = [r for r in rows if r["source"] == "publication"]
    assert len(mine) >= 10
    assert all(r["text"] in text and r["doc_id"] == "odd-objectifs-et-cibles" for r in mine)


def test_written_passages_are_grouped_documents_of_60_to_150_words(rows):
    written = [r for r in rows if r["source"] == "written"]
    assert len(written) >= 40
    assert all(60 <= len(r["text"].split()) <= 150 for r in written)
    assert all(r["group"] == r["doc_id"] and r["page"] is None and r["passage_id"] is None for r in written)
    assert len({r["group"] for r in written}) >= 8


def test_one_section_one_group(rows):
    group_of: dict = {}
    for r in rows:
        assert group_of.setdefault((r["doc_id"], r["section"]), r["group"]) == r["group"], r["id"]
    sections = Counter(r["group"] for r in rows if r["source"] == "proceedings")
    assert len(sections) >= 20  # enough groups for grouped cross-validation


def test_every_label_has_enough_examples(rows):
    proc = [r for r in rows if r["source"] == "proceedings"]
    for facet in ("levers", "trades"):
        counts = Counter(label for r in proc for label in r[facet])
        assert all(counts[label] >= 3 for label in ids(facet)), counts
    sdg = Counter(n for r in rows for n in r["sdg"])
    assert all(sdg[n] >= 3 for n in range(1, 18)), sdg
    entry = Counter(r["entry_point"] for r in rows)
    assert all(entry[label] >= 15 for label in ids("entry_points")), entry


def test_odd_17_is_not_the_default(rows):
    proc = [r for r in rows if r["source"] == "proceedings"]
    share = sum(17 in r["sdg"] for r in proc) / len(proc)
    assert share < 0.5, share


def test_second_pass_is_a_sample_of_the_labelled_passages(rows):
    second = load(SECOND)
    known = {r["id"] for r in rows}
    assert len(second) >= 50 and len({s["id"] for s in second}) == len(second)
    assert all(s["id"] in known for s in second)


def test_actors_are_spelled_as_in_the_proceedings(proceedings):
    actors = json.loads(ACTORS.read_text(encoding="utf-8"))
    text = flat(proceedings.text)
    orgs, people, nots = actors["organisations"], actors["people"], actors["not_organisations"]
    assert len(orgs) >= 25 and len(people) >= 15 and len(nots) >= 20
    org_names = {o["name"] for o in orgs}
    variants = {v for o in orgs for v in o["variants"]}
    for entry in orgs + people:
        assert entry["pages"], entry["name"]
        for v in entry["variants"]:
            assert flat(v) in text, v
    for p in people:
        assert p["organisation"] is None or p["organisation"] in org_names, p["name"]
        assert p["role"]
    assert any(len(p["variants"]) > 1 for p in people)
    for n in nots:
        assert flat(n["text"]) in text and n["text"] not in variants, n["text"]
        assert n["organisation"] is None or n["organisation"] in org_names
