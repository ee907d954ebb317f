"""The cost of adding one publication as the index grows: the 63-page proceedings added to an
empty index, then to a large one (by default the 100k-passage corpus of bench/scale_corpus.py,
from which the proceedings are removed first — untimed — and re-added, timed).
The embedding cache is off, so every add embeds its passages.

    python bench/incremental_add.py [--large data/scale-100k] [--runs 3]

Prints the median time of each and their ratio.
"""
import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.index import Index  # noqa: E402
from index.indexer import Indexer  # noqa: E402
from ingest.embedder import Embedder  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402

PDF = Path(__file__).resolve().parent.parent / "corpus" / "actes-6e-rencontre-2020.pdf"
DOC = PDF.stem


def timed_add(indexer: Indexer) -> float:
    started = time.perf_counter()
    [change] = indexer.add([(PDF, None)])
    assert change.status == "added", change
    return time.perf_counter() - started


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--large", default="data/scale-100k")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    embedder = Embedder(Settings(data_dir=Path(tempfile.mkdtemp())), cache=False)
    ingestor = Ingestor(embedder)
    ingestor.run(PDF)                                   # warm: model, spaCy, label vectors
    empty = []
    for _ in range(args.runs):
        folder = Path(tempfile.mkdtemp())
        empty.append(timed_add(Indexer(folder / "data", ingestor)))
        shutil.rmtree(folder)
    large_indexer = Indexer(Path(args.large), ingestor)
    size = Index.current(large_indexer.data_dir).stats()["passages"]
    large = []
    for _ in range(args.runs):
        if Index.current(large_indexer.data_dir).store.document(DOC) is not None:
            large_indexer.remove(DOC)                   # untimed
        large.append(timed_add(large_indexer))
    e, l = statistics.median(empty), statistics.median(large)
    print(f"add the proceedings (284 passages), median of {args.runs}:")
    print(f"  to an empty index:              {e:6.2f} s")
    print(f"  to an index of {size:,} passages: {l:6.2f} s")
    print(f"  ratio: {l / e:.2f}")


if __name__ == "__main__":
    main()
