"""Ingestion cost against the model's own encoding cost, on the bundled proceedings.

    python bench/ingest_throughput.py [--runs 3]

Prints, as medians over the runs: the whole ingestion (read PDF, structure, spaCy, tagging,
embedding of passages and of their sentences, without the embedding cache), its passages per
second, and the model's raw encode throughput on the very same texts, so the pipeline's overhead
is visible.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.embedder import Embedder  # noqa: E402
from ingest.pipeline import Ingestor, embedding_texts  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402

PDF = Path(__file__).resolve().parent.parent / "corpus" / "actes-6e-rencontre-2020.pdf"


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    embedder = Embedder(Settings(data_dir=Path(tempfile.mkdtemp())), cache=False)
    ingestor = Ingestor(embedder)
    ingestor.run(PDF)  # warm: model loaded, spaCy loaded, label vectors embedded
    totals, encodes, n = [], [], 0
    for _ in range(args.runs):
        t = time.perf_counter()
        result = ingestor.run(PDF)
        totals.append(time.perf_counter() - t)
        n = len(result.passages)
        texts, _ = embedding_texts(result.passages, result.headers)
        t = time.perf_counter()
        embedder.passages(texts)
        encodes.append(time.perf_counter() - t)
    total, encode = statistics.median(totals), statistics.median(encodes)
    print(f"passages: {n} (63-page PDF) and {len(texts) - n} sentences embedded, runs: {args.runs}")
    print(f"ingestion (median): {total:.2f} s, {n / total:.1f} passages/s")
    print(f"model encode alone (median): {encode:.2f} s, {n / encode:.1f} passages/s")
    print(f"pipeline overhead: {total - encode:.2f} s ({total / encode:.2f}x the model's own time)")


if __name__ == "__main__":
    main()
