"""Write the background collection the relevance floor compares questions with
(search/background/): 3,000 sentences of general French prose — sentence units of PIAF's
Wikipedia paragraphs (Etalab, MIT), sampled with seed 0 — and their vectors for the default
model, so the service does not embed them at start.

    python scripts/make_background.py [--piaf ../shared/eval/external/piaf/piaf-v1.1.json]

Why a background: the similarity of a question to its best passage means little alone (an
off-topic question still has a nearest passage); how much better the corpus matches it than
general prose does is what says the corpus holds an answer (search/relevance.py).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.embedder import Embedder  # noqa: E402
from ingest.sentences import sentence_units  # noqa: E402
from ingest.settings import Settings  # noqa: E402
from search.relevance import BACKGROUND, BACKGROUND_SIZE, Background  # noqa: E402

PIAF = REPO.parent / "shared" / "eval" / "external" / "piaf" / "piaf-v1.1.json"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--piaf", default=str(PIAF))
    args = ap.parse_args()
    data = json.loads(Path(args.piaf).read_text(encoding="utf-8"))["data"]
    units = [u for article in data for para in article["paragraphs"] for u in sentence_units(para["context"])]
    units = [" ".join(u.split()) for u in dict.fromkeys(units)]
    texts = random.Random(0).sample(units, BACKGROUND_SIZE)
    BACKGROUND.mkdir(exist_ok=True)
    (BACKGROUND / "sentences.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
    embedder = Embedder(Settings(), cache=False)
    vectors = embedder.passages(texts, progress=True)
    np.save(Background.shipped_vectors(embedder.name), vectors.astype(np.float16))
    print(f"{len(texts)} sentences, vectors {vectors.shape} for {embedder.name}")


if __name__ == "__main__":
    main()
