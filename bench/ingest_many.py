"""Indexing a folder of many small files against indexing the same text as one document.

    python bench/ingest_many.py [--files 500] [--runs 1] [--per-file]

Writes ``--files`` short Markdown files (PIAF's first paragraphs, real French text, each under its
article's title), then indexes them as ``catalyse ingest`` does (read in the bounded child process,
cut, tagged, embedded across documents, one snapshot), and indexes one Markdown document made of
the same sections; both into fresh data directories, without the embedding cache, the model and
spaCy warmed first, the two alternating over ``--runs`` (medians: the machine is shared). Prints
passages per second of each and their ratio. ``--per-file`` adds the same folder embedded one
document per model call, the cost the cross-document batching removes.
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ingest.pipeline as pipeline  # noqa: E402
from index.indexer import Indexer, publications  # noqa: E402
from ingest.embedder import Embedder  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402

PIAF = Path(__file__).resolve().parents[2] / "shared" / "eval" / "external" / "piaf" / "piaf-v1.1.json"


def paragraphs(n: int) -> list[tuple[str, str]]:
    data = json.loads(PIAF.read_text(encoding="utf-8"))["data"]
    out = [(article["title"].replace("_", " "), p["context"]) for article in data for p in article["paragraphs"]]
    return out[:n]


def timed(ingestor: Ingestor, items: list[Path]) -> tuple[int, float]:
    """Passages indexed and seconds taken, into a fresh data directory."""
    indexer = Indexer(Path(tempfile.mkdtemp(prefix="bench-many-")), ingestor)
    started = time.perf_counter()
    changes = indexer.add([(path, {}) for path in items])
    return sum(c.passages for c in changes), time.perf_counter() - started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--per-file", action="store_true", help="also embed one document per model call")
    args = ap.parse_args()
    apply_thread_settings()
    work = Path(tempfile.mkdtemp(prefix="bench-many-files-"))
    folder, single = work / "dossier", work / "un-document"
    folder.mkdir()
    single.mkdir()
    texts = paragraphs(args.files)
    for n, (title, text) in enumerate(texts):
        (folder / f"page-{n:04d}.md").write_text(f"# {title}\n\n{text}\n", encoding="utf-8")
    (single / "recueil.md").write_text("# Recueil\n\n" + "".join(f"## {title}\n\n{text}\n\n" for title, text in texts),
                                       encoding="utf-8")
    words = sum(len(t.split()) for _, t in texts)
    print(f"{len(texts)} Markdown files, {words:,} words in all (PIAF paragraphs)")

    embedder = Embedder(Settings(data_dir=work / "unused"), cache=False)
    ingestor = Ingestor(embedder)
    timed(ingestor, publications(folder)[:5])          # warm: model, spaCy, label vectors, child process

    one, many = [], []
    for run in range(args.runs):
        n_one, s_one = timed(ingestor, publications(single))
        one.append(n_one / s_one)
        print(f"run {run + 1}, one document : {n_one} passages in {s_one:.1f} s = {one[-1]:.2f} passages/s")
        n_many, s_many = timed(ingestor, publications(folder))
        many.append(n_many / s_many)
        print(f"run {run + 1}, {len(texts)} files  : {n_many} passages in {s_many:.1f} s = {many[-1]:.2f} passages/s")
    rate_one, rate_many = statistics.median(one), statistics.median(many)
    ratios = [m / o for o, m in zip(one, many)]     # each run's pair ran minutes apart: the fairer ratio
    print(f"median: one document {rate_one:.2f} passages/s, {len(texts)} files {rate_many:.2f} passages/s; "
          f"folder / one document = {statistics.median(ratios):.3f} (runs: {', '.join(f'{r:.3f}' for r in ratios)})")
    if args.per_file:
        pipeline.EMBED_GROUP = 1          # every document embedded on its own, as before the batching
        n_per, s_per = timed(ingestor, publications(folder))
        print(f"{len(texts)} files, one model call each: {n_per} passages in {s_per:.1f} s = "
              f"{n_per / s_per:.2f} passages/s ({(n_per / s_per) / rate_one:.3f} of one document)")


if __name__ == "__main__":
    main()
