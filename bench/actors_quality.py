"""The actor directory against the hand-labelled actors of the proceedings (tests/data/actors.json):
recall of the known organisations and people, the known non-organisations listed as organisations,
spellings of one actor left apart, and whether each found actor's passages sit on its pages.

    python bench/actors_quality.py [--corpus corpus] [-v]

No model is loaded: the proceedings are read and cut (spaCy) as at ingestion, then the directory is
built from their passages."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.actors import Directory, name_key  # noqa: E402

TRUTH = REPO / "tests" / "data" / "actors.json"


def score(directory: Directory, truth: dict) -> dict:
    """Figures and the lists behind them (what a test asserts and a person reads)."""
    of_key = {}
    for actor in directory.actors:
        for v in actor.variants:
            of_key.setdefault((actor.kind, name_key(v, actor.kind)), actor)

    def found(kind: str, entry: dict) -> list:
        return list({id(a): a for v in entry["variants"] + [entry["name"]]
                     if (a := of_key.get((kind, name_key(v, kind))))}.values())

    out = {}
    for kind, field in (("organisation", "organisations"), ("person", "people")):
        entries = truth[field]
        hits = {e["name"]: found(kind, e) for e in entries}
        out[field] = {
            "known": len(entries),
            "found": sum(bool(h) for h in hits.values()),
            "missed": sorted(n for n, h in hits.items() if not h),
            "split": sorted(n for n, h in hits.items() if len(h) > 1),   # variants of one actor left apart
            "off_pages": sorted(n for n, h in hits.items() if h and not (
                {m.page for a in h for m in a.mentions} & set(next(e for e in entries if e["name"] == n)["pages"]))),
        }
        out[field]["recall"] = round(out[field]["found"] / len(entries), 3)
    listed = {name_key(v, "organisation") for a in directory.actors if a.kind == "organisation" for v in a.variants}
    out["not_organisations_listed"] = sorted(n["text"] for n in truth["not_organisations"]
                                             if name_key(n["text"], "organisation") in listed)
    out["organisations_listed"] = sum(a.kind == "organisation" for a in directory.actors)
    out["people_listed"] = sum(a.kind == "person" for a in directory.actors)
    return out


def proceedings_directory(corpus: Path) -> Directory:
    passages, text = proceedings_passages(corpus)
    return Directory.build(passages)


def proceedings_passages(corpus: Path) -> tuple[list, str]:
    """The proceedings' passages as ingestion cuts them (no vectors, no tags) and the document's text."""
    from ingest.chunker import Chunker
    from ingest.readers import read_document
    from ingest.structure import segments_of
    from ingest.document import Passage

    doc = read_document(corpus / "actes-6e-rencontre-2020.pdf")
    passages = []
    for chunk in Chunker().chunks(doc, segments_of(doc)):
        text = doc.text[chunk.start:chunk.end]
        sp = chunk.segment.speaker
        passages.append(Passage(id=Passage.make_id(doc.id, chunk.start, text), doc_id=doc.id, text=text,
                                start=chunk.start, end=chunk.end, page_start=doc.page_at(chunk.start),
                                page_end=doc.page_at(chunk.end - 1), speaker=sp.name if sp else None,
                                role=sp.role if sp else None, organisation=sp.organisation if sp else None,
                                entities=chunk.entities))
    return passages, doc.text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus")
    ap.add_argument("-v", action="store_true", help="print the directory")
    args = ap.parse_args()
    directory = proceedings_directory(args.corpus)
    result = score(directory, json.loads(TRUTH.read_text()))
    if args.v:
        for a in directory.actors:
            print(a.kind[:3], a.id, "|", " / ".join(a.variants), "|", a.role, "|", a.organisation, "|",
                  sorted({m.page for m in a.mentions}))
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
