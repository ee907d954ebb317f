"""Read publications in a child process under a time and memory bound, so a pathological file
(deeply nested objects, a decompression bomb) cannot stall or exhaust the service.

One child reads many files in turn (a folder of 500 small files must not cost 500 interpreter
start-ups): requests go down its stdin, and it answers with JSON lines — progress of the OCR, then
the document or the error. Each file has ``timeout`` seconds, plus ``OCR_PAGE_S`` for each scanned
page the child announces; a child over its time is killed (the next file gets a fresh one)."""
from __future__ import annotations

import json
import os
import resource
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from .document import Document
from .errors import UnreadableDocument

TIMEOUT_S = 60
MEMORY_MB = 1024
OCR_PAGE_S = 60       # a page at 300 dpi takes 3–8 s here (bench/ocr_quality.py); a bound, not an estimate
# Tesseract's OpenMP threads: with two, the test scan's illegible page took 60 s instead of 7 (legible pages:
# no faster either, bench/ocr_quality.py), and one leaves a core to the searches.
TESSERACT_THREADS = "1"
OnPage = Callable[[int, int], None]


def _limit(memory_mb: int):
    def apply():
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


class BoundedReader:
    """``with BoundedReader() as reader: doc = reader.read(path, metadata)`` — each read either
    returns the whole Document or raises UnreadableDocument with a stable code."""

    def __init__(self, timeout: float = TIMEOUT_S, memory_mb: int = MEMORY_MB, with_ocr: bool = True):
        self.timeout, self.memory_mb, self.with_ocr = timeout, memory_mb, with_ocr
        self._child: subprocess.Popen | None = None
        self._chunks: list[bytes] = []       # what the child wrote and was not read yet
        self._whole_line = False             # whether they hold a whole message

    def __enter__(self) -> "BoundedReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._child is not None:
            if self._child.poll() is None:
                self._child.kill()
            self._child.wait()
            for stream in (self._child.stdin, self._child.stdout):
                stream.close()
            self._child, self._chunks, self._whole_line = None, [], False

    def _start(self) -> subprocess.Popen:
        if self._child is None or self._child.poll() is not None:
            self.close()
            self._child = subprocess.Popen([sys.executable, "-m", "ingest.bounded"], stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                           preexec_fn=_limit(self.memory_mb),
                                           cwd=Path(__file__).resolve().parent.parent,
                                           env={**os.environ, "PYTHONHASHSEED": "0",
                                                "OMP_THREAD_LIMIT": TESSERACT_THREADS})
        return self._child

    def _line(self, deadline: float) -> dict | None:
        """The child's next message, None when it is over time or gone."""
        while not self._whole_line:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            with selectors.DefaultSelector() as selector:
                selector.register(self._child.stdout, selectors.EVENT_READ)
                if not selector.select(left):
                    return None
            chunk = os.read(self._child.stdout.fileno(), 1 << 20)
            if not chunk:
                return None
            self._chunks.append(chunk)       # a large document comes in many chunks: joined once
            self._whole_line = b"\n" in chunk
        line, _, rest = b"".join(self._chunks).partition(b"\n")
        self._chunks, self._whole_line = [rest], b"\n" in rest
        return json.loads(line)

    def read(self, path: Path, metadata: dict | None = None, on_page: OnPage | None = None) -> Document:
        path = Path(path)
        request = json.dumps({"path": str(path), "metadata": metadata, "with_ocr": self.with_ocr}).encode()
        for attempt in (1, 2):       # a child that died since the last file is replaced once
            child = self._start()
            try:
                child.stdin.write(request + b"\n")
                child.stdin.flush()
                break
            except BrokenPipeError:
                self.close()
        else:
            raise UnreadableDocument(f"{path.name} : le processus de lecture ne démarre pas", "too_large_to_read")
        started = time.monotonic()
        deadline = started + self.timeout
        while True:
            message = self._line(deadline)
            if message is None:
                over = time.monotonic() >= deadline
                self.close()
                if over:
                    raise UnreadableDocument(f"{path.name} : lecture trop longue (plus de "
                                             f"{deadline - started:.0f} s), document refusé", "too_slow")
                raise UnreadableDocument(f"{path.name} : lecture impossible dans les limites de mémoire "
                                         f"({self.memory_mb} Mo) ou de temps", "too_large_to_read")
            if "ocr_pages" in message:          # scanned pages ahead: each gets its own time
                deadline = time.monotonic() + self.timeout + OCR_PAGE_S * message["ocr_pages"]
            elif "page" in message:
                if on_page:
                    on_page(message["page"], message["of"])
            elif "error" in message:
                if message.get("restart"):
                    self.close()
                raise UnreadableDocument(message["message"], message["error"])
            else:
                return Document.from_dict(message["document"])


def read_bounded(path: Path, metadata: dict | None = None, timeout: float = TIMEOUT_S,
                 memory_mb: int = MEMORY_MB, with_ocr: bool = True, on_page: OnPage | None = None) -> Document:
    """``read_document`` in a child process; over time or memory, a clear error and nothing read."""
    with BoundedReader(timeout, memory_mb, with_ocr) as reader:
        return reader.read(path, metadata, on_page)


def check_upload(path: Path, metadata: dict | None = None) -> Document:
    """An upload's check before it is queued: the whole reading, bounded, except the OCR of scanned
    pages (only checked to render, with Tesseract present) — that runs in the indexing job."""
    return read_bounded(path, metadata, with_ocr=False)


def _child() -> int:
    from .readers import FORMATS, read_document

    def say(message: dict) -> None:
        sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    for line in sys.stdin:
        request = json.loads(line)
        path = Path(request["path"])
        broken = f"broken_{FORMATS.get(path.suffix.lower(), 'file')}"

        def on_page(done: int, total: int) -> None:
            say({"ocr_pages": total} if done == 0 else {"page": done, "of": total})

        try:
            doc = read_document(path, request["metadata"], request["with_ocr"], on_page)
        except UnreadableDocument as exc:
            say({"error": exc.code, "message": str(exc)})
            continue
        except MemoryError:
            say({"error": "too_large_to_read", "message": f"{path.name} : mémoire dépassée", "restart": True})
            continue
        except RecursionError:
            say({"error": broken, "message": f"{path.name} : structure trop imbriquée", "restart": True})
            continue
        except Exception as exc:   # a library's unforeseen error on a malformed file: refused, never a crash
            say({"error": broken, "message": f"{path.name} : fichier illisible ({type(exc).__name__})",
                 "restart": True})
            continue
        say({"document": doc.to_dict()})
    return 0


if __name__ == "__main__":
    sys.exit(_child())
