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
from ingest.document import Document, Passage  # noqa: E402
from ingest.embedder import Embedder  # noqa: E402
from ingest.pipeline import IngestedDocument, Ingestor  # noqa: E402
from ingest.settings import Settings  # noqa: E402
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


def build(indexer: Indexer, ingestor: Ingestor, paragraphs) -> None:
    items = []
    headers = [title for _, title, _ in paragraphs]
    vectors = ingestor.embedder.passages([f"{h}\n{text}" for h, (_, _, text) in zip(headers, paragraphs)], progress=True)
    for (pid, title, text), header, vector in zip(paragraphs, headers, vectors):
        doc = Document(id=pid, title=title, text=text, page_starts=[0], metadata={"format": "text"},
                       source=f"{pid}.txt", content_hash=pid)
        passage = Passage(id=Passage.make_id(pid, 0, text), doc_id=pid, text=text, start=0, end=len(text),
                          page_start=1, page_end=1, section=(title,), language="fr")
        passage.tags = ingestor.tagger.tag(text, vector)
        items.append(IngestedDocument(doc, [passage], vector[None, :], [header]))
    indexer.add_ingested(items)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="data/piaf")
    ap.add_argument("--sample", type=int, default=500)
    ap.add_argument("--dense-only", action="store_true")
    args = ap.parse_args()
    settings = Settings().with_(data_dir=Path(args.data_dir))
    embedder = Embedder(settings)
    ingestor = Ingestor(embedder)
    paragraphs, questions = load(PIAF)
    if Snapshots(settings.data_dir).current() is None:
        build(Indexer(settings.data_dir, ingestor), ingestor, paragraphs)
    index = Index.current(settings.data_dir)
    searcher = Searcher(index, embedder, SearchSettings(lexical=not args.dense_only))
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
