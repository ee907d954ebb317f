"""Read a publication in a child process under a time and memory bound, so a pathological
file (deeply nested objects, a decompression bomb) cannot stall or exhaust the service."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from .document import Document
from .errors import UnreadableDocument

TIMEOUT_S = 60
MEMORY_MB = 1024


def _limit(memory_mb: int):
    def apply():
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def read_bounded(path: Path, metadata: dict | None = None, timeout: float = TIMEOUT_S,
                 memory_mb: int = MEMORY_MB) -> Document:
    """``read_document`` in a child process; over time or memory, a clear error and nothing read."""
    path = Path(path)
    request = json.dumps({"path": str(path), "metadata": metadata})
    try:
        done = subprocess.run([sys.executable, "-m", "ingest.bounded"], input=request, capture_output=True,
                              text=True, timeout=timeout, preexec_fn=_limit(memory_mb),
                              cwd=Path(__file__).resolve().parent.parent,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
    except subprocess.TimeoutExpired:
        raise UnreadableDocument(f"{path.name} : lecture trop longue (plus de {timeout:g} s), document refusé",
                                 "too_slow") from None
    if done.returncode != 0:
        try:
            error = json.loads(done.stdout.strip().splitlines()[-1])
            raise UnreadableDocument(error["message"], error["code"])
        except (ValueError, IndexError, KeyError):
            raise UnreadableDocument(f"{path.name} : lecture impossible dans les limites de mémoire "
                                     f"({memory_mb} Mo) ou de temps", "too_large_to_read") from None
    return Document(**json.loads(done.stdout))


def _child() -> int:
    from dataclasses import asdict

    from .readers import read_document

    request = json.loads(sys.stdin.read())
    try:
        doc = read_document(Path(request["path"]), request["metadata"])
    except UnreadableDocument as exc:
        print(json.dumps({"code": exc.code, "message": str(exc)}))
        return 2
    except MemoryError:
        print(json.dumps({"code": "too_large_to_read", "message": f"{Path(request['path']).name} : mémoire dépassée"}))
        return 3
    except RecursionError:
        print(json.dumps({"code": "broken_pdf", "message": f"{Path(request['path']).name} : structure trop imbriquée"}))
        return 3
    sys.stdout.write(json.dumps(asdict(doc)))
    return 0


if __name__ == "__main__":
    sys.exit(_child())
