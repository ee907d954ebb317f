"""How long the directory of actors takes to build (it is rebuilt from every passage with each snapshot):
the proceedings' passages copied under new ids and documents up to N passages.

    python bench/actors_build.py [--passages 10000 50000]

Measured 2026-11-26 on this shared machine: 10,000 passages 0.26 s, 50,000 1.77 s (27.4 s before the
acronyms were found at ingestion, per passage, instead of in every document text at each build)."""
from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from actors_quality import proceedings_passages  # noqa: E402
from ingest.actors import Directory  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, nargs="+", default=[10_000, 50_000])
    args = ap.parse_args()
    source, _ = proceedings_passages(REPO / "corpus")
    for n in args.passages:
        copies = [dataclasses.replace(p, id=f"{p.id}-{i // len(source)}", doc_id=f"{p.doc_id}-{i // 200}")
                  for i, p in ((i, source[i % len(source)]) for i in range(n))]
        started = time.perf_counter()
        directory = Directory.build(copies)
        print(f"{n} passages: {time.perf_counter() - started:.2f} s, {len(directory.actors)} actors")


if __name__ == "__main__":
    main()
