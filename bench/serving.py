"""Start the real service (``catalyse serve``) on a data directory in a child process, for the
end-to-end benchmarks; and the questions they ask (development questions, then PIAF's)."""
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def service(data_dir: str, timeout: float = 1800):
    """Yield (base url, process id) of a service on ``data_dir``, rate limits off, once ready."""
    port = free_port()
    env = {**os.environ, "CATALYSE_SEARCH_RATE": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "--data-dir", data_dir, "serve", "--port", str(port)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError("the service stopped during start-up")
            try:
                with urllib.request.urlopen(base + "/health", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise TimeoutError("the service did not become ready")
            time.sleep(0.5)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(30)


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process, in MiB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def loaded_libraries(pid: int) -> list[str]:
    """Which of the heavy libraries a process has loaded (their shared objects mapped)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    marks = {"torch": "/torch/lib/libtorch", "spacy": "/spacy/", "tokenizers": "/tokenizers/"}
    return [name for name, mark in marks.items() if mark in maps]


def questions(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct questions: the 24 development questions, then PIAF questions (seeded sample)."""
    dev = [json.loads(line)["query"] for line in (SHARED / "eval" / "dev-queries.jsonl").read_text().splitlines() if line.strip()]
    piaf = json.loads((SHARED / "eval" / "external" / "piaf" / "piaf-v1.1.json").read_text(encoding="utf-8"))["data"]
    more = [qa["question"] for article in piaf for para in article["paragraphs"] for qa in para["qas"]]
    random.Random(seed).shuffle(more)
    return list(dict.fromkeys(dev + more))[:n]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]
