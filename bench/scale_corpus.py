"""Grow a corpus to N passages for the scale benchmarks, honestly.

    python bench/scale_corpus.py --passages 100000 --data-dir data/scale-100k

What the data directory then holds, in one snapshot built by the engine's own indexer:
- real: the bundled proceedings, ingested by the real pipeline (PDF, passages, tags, model);
- real: PIAF's 1,518 French Wikipedia paragraphs, one passage each, embedded by the real model
  (title + text, and each sentence) and tagged by the real tagger — a few minutes the first
  time, then cached;
- synthetic: the rest, each passage made of consecutive sentences of two real passages (about
  100 words, like the engine's own), its vector the normalised mix of theirs (0.6 / 0.4) plus a
  little Gaussian noise, its sentence vectors noisy copies of its sources' first ones (2 of the
  first, 3 of the second: about the real count), its tags and entities those of its first
  source. The real parts go through the pipeline (the proceedings through ``Ingestor``, PIAF through
  ``bench/piaf_eval.py``'s paragraph-per-passage build, see why there); the synthetic passages are made
  here because no reader produces them, then written by the engine's indexer. The vectors are thus
  not the model's own but live where the model's vectors live; the texts are real French, so
  the lexical index has the vocabulary and term frequencies of real text. Seeded (seed 0).
"""
import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.context import Context  # noqa: E402
from bench.piaf_eval import PIAF, load  # noqa: E402
from index.index import Index  # noqa: E402
from index.indexer import publications  # noqa: E402
from index.snapshots import Snapshots  # noqa: E402
from ingest.document import Document, Passage  # noqa: E402
from ingest.pipeline import IngestedDocument, embedding_texts  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402

SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+|$)")
PER_DOCUMENT = 100
NOISE = 0.15


def piaf_items(ctx: Context) -> list[IngestedDocument]:
    """PIAF paragraphs grouped by article, one passage per paragraph, real vectors and tags."""
    paragraphs, _ = load(PIAF)
    articles: dict[str, list[str]] = {}
    for _, title, text in paragraphs:
        articles.setdefault(title, []).append(text)
    docs = []
    for n, (title, paras) in enumerate(articles.items()):
        doc_id = f"piaf-article-{n:04d}"
        text, starts = "", []
        for para in paras:
            starts.append(len(text))
            text += para + "\n\n"
        doc = Document(id=doc_id, title=title, text=text, page_starts=[0], metadata={"format": "text"},
                       source=f"{doc_id}.txt", content_hash=doc_id)
        docs.append((doc, [Passage(id=Passage.make_id(doc_id, start, para), doc_id=doc_id, text=para, start=start,
                                   end=start + len(para), page_start=1, page_end=1, section=(title,), language="fr")
                           for para, start in zip(paras, starts)]))
    blocks = [embedding_texts(passages, [doc.title] * len(passages)) for doc, passages in docs]
    vectors = ctx.embedder.passages([t for texts, _ in blocks for t in texts], progress=True)
    items, at = [], 0
    for (doc, passages), (texts, owners) in zip(docs, blocks):
        block, at = vectors[at:at + len(texts)], at + len(texts)
        for p, v in zip(passages, block):
            p.tags = ctx.indexer.ingestor.tagger.tag(p.text, v)
        items.append(IngestedDocument(doc, passages, block[:len(passages)], [doc.title] * len(passages),
                                      block[len(passages):], owners))
    return items


def _noisy(vectors: np.ndarray, noise: np.random.Generator) -> np.ndarray:
    vectors = vectors + noise.normal(0, NOISE / np.sqrt(vectors.shape[1]), vectors.shape).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def synthetic_items(real: list[tuple[Passage, str, np.ndarray, np.ndarray]], count: int, seed: int = 0) -> list[IngestedDocument]:
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    sentences = [[s.strip() for s in SENTENCE.findall(" ".join(p.text.split())) if s.strip()] for p, _, _, _ in real]
    # a real passage without sentence rows stands for its one sentence with its own vector
    rows = [r if len(r) else v[None, :] for _, _, v, r in real]
    items = []
    for first in range(0, count, PER_DOCUMENT):
        n_doc = len(items)
        doc_id = f"synth-{n_doc:06d}"
        texts, sources = [], []
        for _ in range(min(PER_DOCUMENT, count - first)):
            a, b = rng.randrange(len(real)), rng.randrange(len(real))
            words: list[str] = []
            for src, target in ((a, 60), (b, 100)):
                sents = sentences[src]
                i = rng.randrange(len(sents)) if sents else 0
                while sents and len(words) < target and len(words) < 150:
                    words += sents[i % len(sents)].split()
                    i += 1
            texts.append(" ".join(words[:150]))
            sources.append((a, b))
        title = f"{real[sources[0][0]][1]} — recueil {n_doc}"
        text, starts = "", []
        for t in texts:
            starts.append(len(text))
            text += t + "\n\n"
        doc = Document(id=doc_id, title=title, text=text, page_starts=[0], metadata={"format": "text", "synthetic": True},
                       source=f"{doc_id}.txt", content_hash=doc_id)
        mix = _noisy(np.stack([0.6 * real[a][2] + 0.4 * real[b][2] for a, b in sources]), noise)
        picked = [np.concatenate([rows[a][:2], rows[b][:3]]) for a, b in sources]
        sentence_vectors = _noisy(np.concatenate(picked), noise).astype(np.float16)
        owners = np.repeat(np.arange(len(picked)), [len(p) for p in picked])
        passages = []
        for t, start, (a, _) in zip(texts, starts, sources):
            src = real[a][0]
            p = Passage(id=Passage.make_id(doc_id, start, t), doc_id=doc_id, text=t, start=start, end=start + len(t),
                        page_start=1, page_end=1, section=(title,), language="fr", entities=src.entities)
            p.tags = src.tags
            passages.append(p)
        items.append(IngestedDocument(doc, passages, mix.astype(np.float32), [title] * len(passages),
                                      sentence_vectors, owners))
    return items


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, required=True, help="total passages wanted")
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    ctx = Context(Settings().with_(data_dir=Path(args.data_dir)))
    if Snapshots(ctx.settings.data_dir).current() is not None:
        sys.exit(f"{args.data_dir} already holds an index: delete it first")
    started = time.perf_counter()
    ctx.indexer.add([(p, None) for p in publications(ctx.settings.corpus_dir)])     # real pipeline
    piaf = piaf_items(ctx)
    index = Index.current(ctx.settings.data_dir)
    vids = index.store.vids_of_document("actes-6e-rencontre-2020")
    proceedings = index.store.passages(vids)
    titles = index.store.titles()
    real = [(proceedings[v], titles[proceedings[v].doc_id], index.vectors.vector(v), index.sentences.of(v))
            for v in vids]
    for item in piaf:
        for n, (p, v) in enumerate(zip(item.passages, item.vectors)):
            real.append((p, item.document.title, v, item.sentence_vectors[item.sentence_passages == n]))
    index.close()
    count = max(0, args.passages - len(real))
    print(f"real passages: {len(real)}; synthetic: {count}", flush=True)
    items = piaf + synthetic_items(real, count, args.seed)
    print(f"generated in {time.perf_counter() - started:.0f} s; writing the snapshot", flush=True)
    ctx.indexer.add_ingested(items)
    stats = Index.current(ctx.settings.data_dir).stats()
    print(json.dumps(stats), f"\ntotal {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
