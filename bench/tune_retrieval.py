"""Grid over passage size and fusion settings, scored on the development questions.

    python bench/tune_retrieval.py [--queries ../shared/eval/dev-queries.jsonl]

Each passage size is ingested into a temporary data directory (vectors come from the
embedding cache of $CATALYSE_DATA_DIR when present); every fusion setting is then evaluated.
"""
import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.indexer import Indexer  # noqa: E402
from ingest.chunker import Chunker  # noqa: E402
from ingest.embedder import Embedder  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402
from search.evaluation import evaluate, load_queries  # noqa: E402
from search.searcher import Searcher, SearchSettings  # noqa: E402


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", default=str(Path(__file__).resolve().parents[2] / "shared/eval/dev-queries.jsonl"))
    ap.add_argument("--sizes", default="140/200,100/150,80/120")
    ap.add_argument("--alphas", default="0.3,0.45,0.6", help="convex fusion: lexical shares")
    ap.add_argument("--rrf-k", default="10,30,60", help="reciprocal rank fusion: k values")
    args = ap.parse_args()
    queries = load_queries(Path(args.queries))
    settings = Settings()
    embedder = Embedder(settings)
    for size in args.sizes.split(","):
        target, top = map(int, size.split("/"))
        data = Path(tempfile.mkdtemp())
        try:
            indexer = Indexer(data, Ingestor(embedder, chunker=Chunker(min_words=min(60, target // 2),
                                                                         target_words=target, max_words=top)))
            indexer.ingest_folder(settings.corpus_dir)
            from index.index import Index
            index = Index.current(data)
            grid = ([SearchSettings(fusion="convex", alpha=float(a)) for a in args.alphas.split(",")]
                    + [SearchSettings(fusion="rrf", rrf_k=int(k)) for k in args.rrf_k.split(",")])
            for setting in grid:
                searcher = Searcher(index, embedder, setting)
                rep = evaluate(lambda q, k: [h.passage.text for h in searcher.search(q, k).hits], queries)
                s = rep["summary"]
                kinds = " ".join(f"{n}={v['ndcg']:.3f}" for n, v in sorted(s.items()) if n != "overall")
                knob = f"alpha {setting.alpha}" if setting.fusion == "convex" else f"rrf_k {setting.rrf_k}"
                print(f"size {target}/{top} passages {index.store.count('passages')} {setting.fusion} {knob}: "
                      f"nDCG {s['overall']['ndcg']:.3f} R {s['overall']['recall']:.3f} MRR {s['overall']['mrr']:.3f} | {kinds}",
                      flush=True)
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
