"""The independent check on PIAF (French QA, Etalab): index its 1,518 paragraphs as passages in a
separate data directory, ask a fixed sample of 500 questions (seed 0) and print nDCG@10, Recall@10
and MRR@10 — the paragraph a question was written on is its one relevant item.

    python bench/piaf_eval.py [--data-dir data/piaf] [--sample 500] [--dense-only]

The index is built once and reused (delete the folder to rebuild).
"""
import argparse
import json
import math
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.index import Index  # noqa: E402
from index.indexer import Indexer  # noqa: E402
from index.snapshots import Snapshots  # noqa: E402
from ingest.document import Document, Passage, Segment  # noqa: E402
from ingest.embedder import Embedder  # noqa: E402
from ingest.pipeline import IngestedDocument, Ingestor, embedding_texts  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402
from search.searcher import Searcher, SearchSettings  # noqa: E402

PIAF = Path(__file__).resolve().parents[2] / "shared" / "eval" / "external" / "piaf" / "piaf-v1.1.json"


def load(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    paragraphs, questions = [], []
    for article in data:
        for para in article["paragraphs"]:
            pid = f"piaf-{len(paragraphs):04d}"
            paragraphs.append((pid, article["title"], para["context"]))
            questions += [(qa["question"], pid) for qa in para["qas"]]
    return paragraphs, questions


def build(indexer: Indexer, ingestor: Ingestor, paragraphs, chunked: bool) -> None:
    """One document per paragraph: a single passage, or (``chunked``) the engine's own passages.
    Passages are made here rather than by ``Ingestor.ingest`` because PIAF's unit of relevance is the
    paragraph: the reader's structure parser and chunker would cut and merge paragraphs, and a question's
    one relevant item would no longer be one passage. Embedding (``embedding_texts``, the embedder),
    tagging and indexing (``Indexer.add_ingested``) are the pipeline's own."""
    docs, passages = [], []
    segments = []
    for pid, title, text in paragraphs:
        doc = Document(id=pid, title=title, text=text, page_starts=[0], metadata={"format": "text"},
                       source=f"{pid}.txt", content_hash=pid)
        docs.append(doc)
        segments.append(Segment(0, len(text), (title,)))
    if chunked:
        spans = [[(c.start, c.end) for c in ingestor.chunker.chunks(d, [seg])] or [(0, len(d.text))]
                 for d, seg in zip(docs, segments)]
    else:
        spans = [[(0, len(d.text))] for d in docs]
    for doc, doc_spans in zip(docs, spans):
        passages.append([Passage(id=Passage.make_id(doc.id, a, doc.text[a:b]), doc_id=doc.id, text=doc.text[a:b],
                                 start=a, end=b, page_start=1, page_end=1, section=(doc.title,), language="fr")
                         for a, b in doc_spans])
    blocks = [embedding_texts(ps, [doc.title] * len(ps)) for doc, ps in zip(docs, passages)]
    vectors = ingestor.embedder.passages([t for texts, _ in blocks for t in texts], progress=True)
    items, at = [], 0
    for doc, ps, (texts, owners) in zip(docs, passages, blocks):
        block, at = vectors[at:at + len(texts)], at + len(texts)
        for p, v in zip(ps, block):
            p.tags = ingestor.tagger.tag(p.text, v)
        items.append(IngestedDocument(doc, ps, block[:len(ps)], [doc.title] * len(ps), block[len(ps):], owners))
    indexer.add_ingested(items)


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="data/piaf")
    ap.add_argument("--sample", type=int, default=500)
    ap.add_argument("--dense-only", action="store_true")
    ap.add_argument("--chunked", action="store_true", help="cut paragraphs into the engine's passages")
    args = ap.parse_args()
    settings = Settings().with_(data_dir=Path(args.data_dir))
    embedder = Embedder(settings)
    ingestor = Ingestor(embedder)
    paragraphs, questions = load(PIAF)
    if Snapshots(settings.data_dir).current() is None:
        build(Indexer(settings.data_dir, ingestor), ingestor, paragraphs, args.chunked)
    index = Index.current(settings.data_dir)
    # the ranking without the relevance floor: the floor's background is drawn from PIAF itself
    searcher = Searcher(index, embedder, SearchSettings(lexical=not args.dense_only, relevance=None))
    sample = random.Random(0).sample(questions, args.sample)
    rows = []
    results = searcher.batchsearch([q for q, _ in sample], k=10)
    for (question, pid), result in zip(sample, results):
        ranks = [i for i, h in enumerate(result.hits, 1) if h.passage.doc_id == pid]
        rank = ranks[0] if ranks else 0
        rows.append((1 / math.log2(rank + 1) if rank else 0.0, 1.0 if rank else 0.0, 1 / rank if rank else 0.0,
                     1.0 if rank == 1 else 0.0))
    ndcg, recall, mrr, r1 = (statistics.fmean(col) for col in zip(*rows))
    mode = "dense only" if args.dense_only else "hybrid"
    print(f"PIAF {len(paragraphs)} paragraphs, {len(sample)} questions (seed 0), {mode}: "
          f"nDCG@10 {ndcg:.3f}  Recall@10 {recall:.3f}  MRR@10 {mrr:.3f}  Recall@1 {r1:.3f}")


if __name__ == "__main__":
    main()
