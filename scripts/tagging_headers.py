"""Write ingest/taxonomy/labelled/headers.json: the context header the index embeds before each labelled
passage (``Passage.context_header``), so the learnt tagger trains on vectors like those it tags.

Proceedings and publication passages get the header of the engine's own cut of the bundled corpus
(matched by passage id: title, innermost section, speaker); the few the cut no longer yields, and the
written passages, get the title and the innermost section of their labelled section path.

    python scripts/tagging_headers.py
"""
from __future__ import annotations

import json
from pathlib import Path

from ingest.chunker import Chunker
from ingest.pipeline import Ingestor
from ingest.readers import read_document
from ingest.tag_model import LABELLED, HEADERS, fallback_header

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]
    cutter = Ingestor.__new__(Ingestor)     # cutting needs no model
    cutter.chunker = Chunker()
    known: dict[str, str] = {}
    titles: dict[str, str] = {}
    for doc_id in sorted({r["doc_id"] for r in rows if r["passage_id"]}):
        path = next((ROOT / "corpus").glob(f"{doc_id}.[mp][dd]*"))
        cut = cutter.cut(read_document(path))
        titles[doc_id] = cut.document.title
        known.update((p.id, h) for p, h in zip(cut.passages, cut.headers))
    headers = {r["id"]: known.get(r["passage_id"]) or fallback_header(r, titles.get(r["doc_id"])) for r in rows}
    HEADERS.write_text(json.dumps(headers, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{sum(r['passage_id'] in known for r in rows)} headers from the cut, {len(rows)} in all")


if __name__ == "__main__":
    main()
