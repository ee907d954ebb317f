"""Encode concurrent questions together: a request that finds the model busy leaves its text
in the queue, and whoever runs the model next encodes everything queued in one batch. On a
2-core machine one batched forward pass costs far less than eight single ones fighting for
the cores; a lone request is encoded at once, without waiting."""
from __future__ import annotations

import threading
from typing import Callable

import numpy as np


class _Item:
    __slots__ = ("text", "vector", "error")

    def __init__(self, text: str):
        self.text, self.vector, self.error = text, None, None


class Batcher:
    def __init__(self, encode: Callable[[list[str]], np.ndarray], max_batch: int = 32):
        self.encode = encode
        self.max_batch = max_batch
        self._queue: list[_Item] = []
        self._queue_lock = threading.Lock()
        self._model_lock = threading.Lock()

    def __call__(self, text: str) -> np.ndarray:
        item = _Item(text)
        with self._queue_lock:
            self._queue.append(item)
        while item.vector is None and item.error is None:
            with self._model_lock:
                if item.vector is not None or item.error is not None:
                    break                  # encoded by the batch that ran before us
                with self._queue_lock:
                    batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch:]
                try:
                    vectors = self.encode([i.text for i in batch])
                except BaseException as exc:  # each waiting request gets the error, none hangs
                    for i in batch:
                        i.error = exc
                else:
                    for i, v in zip(batch, vectors):
                        i.vector = v
        if item.error is not None:
            raise item.error
        return item.vector
