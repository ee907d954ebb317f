"""Recall@10 of the approximate vector search (HNSW over 8-bit codes + exact re-scoring, the
engine's own VectorIndex) against exact search.

    python bench/ann_recall.py [--data-dir data/bench-ann] [--scale data/scale-100k ...]

1. Real embeddings: PIAF's 1,518 paragraphs, its questions embedded as passages and the
   proceedings' paragraphs (about 9,200 vectors, all from the real model; embedded once, then
   cached in --data-dir), searched by 500 PIAF questions embedded as questions.
2. Each --scale data directory (bench/scale_corpus.py): its own index, searched by 200 real
   question embeddings; its synthetic vectors are mixes of real ones (see that script).
For each: recall@10 without filter, with a broad filter (half the passages: through the graph)
and with a selective one (1 %: exact search over the allowed ids), and median search time.
"""
import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.piaf_eval import PIAF, load  # noqa: E402
from index.index import Index  # noqa: E402
from index.vectors import EF_SEARCH, HNSW_M, VectorIndex  # noqa: E402
from ingest.embedder import Embedder  # noqa: E402
from ingest.readers import read_document  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402

PDF = Path(__file__).resolve().parent.parent / "corpus" / "actes-6e-rencontre-2020.pdf"


def recall(index: VectorIndex, exact: VectorIndex, queries: np.ndarray, allowed=None) -> tuple[float, float]:
    _, truth = exact._exact(queries, 10, allowed)
    times, found = [], []
    for q in queries:
        started = time.perf_counter()
        _, vids = index.search(q[None, :], 10, allowed)
        times.append((time.perf_counter() - started) * 1000)
        found.append(vids[0])
    r = np.mean([len(set(f) & set(t[t >= 0])) / max(1, len(t[t >= 0])) for f, t in zip(found, truth)])
    return float(r), statistics.median(times)


def report(name: str, index: VectorIndex, queries: np.ndarray) -> None:
    exact = VectorIndex(index.dim, index.index)          # same vectors, no graph
    vids = np.sort(faiss.vector_to_array(index.index.id_map).astype(np.int64))
    rng = np.random.default_rng(0)
    print(f"{name}: {len(index):,} vectors, HNSW M={HNSW_M} efSearch={EF_SEARCH}, exact re-scoring")
    for label, allowed in (("no filter", None),
                           ("filter keeping 50 %", np.sort(rng.choice(vids, len(vids) // 2, replace=False))),
                           ("filter keeping 1 %", np.sort(rng.choice(vids, max(10, len(vids) // 100), replace=False)))):
        r, ms = recall(index, exact, queries, allowed)
        print(f"  {label:<22} recall@10 {r:.3f}   search p50 {ms:5.2f} ms")


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="data/bench-ann")
    ap.add_argument("--scale", nargs="*", default=[])
    args = ap.parse_args()
    embedder = Embedder(Settings().with_(data_dir=Path(args.data_dir)))
    paragraphs, questions = load(PIAF)
    proceedings = read_document(PDF)
    texts = ([f"{t}\n{x}" for _, t, x in paragraphs] + [q for q, _ in questions]
             + [p for p in proceedings.text.split("\n\n") if len(p.split()) > 20])
    vectors = embedder.passages(texts, progress=True)
    sample = random.Random(0).sample(questions, 500)
    queries = embedder.queries([q for q, _ in sample])
    real = VectorIndex(vectors.shape[1])
    real.add(list(range(len(vectors))), vectors)
    real.build_ann()
    report("real embeddings (PIAF + proceedings)", real, queries)
    for folder in args.scale:
        index = Index.current(Path(folder))
        if index.vectors.ann is None:
            index.vectors.build_ann()
        report(f"{folder} (synthetic mixes of real vectors)", index.vectors, queries[:200])


if __name__ == "__main__":
    main()
