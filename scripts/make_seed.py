"""Rebuild the shipped index of the bundled corpus (``seed/``, see index/seed.py) from the corpus
folder, through the same pipeline as ``catalyse ingest``; run it after changing the corpus, the
pipeline, the model or the index format (tests/test_seed.py says when it is due).

    python scripts/make_seed.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from api.context import Context  # noqa: E402
from index import seed  # noqa: E402
from index.indexer import publications  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402


def main() -> None:
    apply_thread_settings()
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="seed-")), corpus_dir=REPO / "corpus")
    context = Context(settings)
    changes = context.indexer.add([(p, None) for p in publications(settings.corpus_dir)])
    refused = [c for c in changes if c.status == "refused"]
    if refused:
        sys.exit(f"corpus files refused: {refused}")
    seed.make(settings.data_dir, settings.corpus_dir, context.embedder.identity)
    print(f"{seed.SEED}: {sum(c.passages for c in changes)} passages of {len(changes)} publications, "
          f"embedder {context.embedder.identity}")


if __name__ == "__main__":
    main()
