"""Choose the tagger's thresholds on the labelled sample and write ingest/taxonomy/thresholds.json.

    python scripts/calibrate_tagger.py [--data-dir D]

Ingests the bundled proceedings (no index is written), tags the labelled passages, grid-searches
each taxonomy's threshold for the best F1 and prints precision and recall before and after.
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.embedder import Embedder  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402
from ingest.settings import Settings, apply_thread_settings  # noqa: E402
from ingest.tagger import THRESHOLDS_FILE  # noqa: E402
from scripts.tagger_calibration import calibrate, load_sample, locate, quality  # noqa: E402


def main():
    apply_thread_settings()
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir")
    args = ap.parse_args()
    settings = Settings().with_(data_dir=Path(args.data_dir) if args.data_dir else None)
    ingestor = Ingestor(Embedder(settings))
    result = ingestor.run(settings.corpus_dir / "actes-6e-rencontre-2020.pdf")
    located = locate(load_sample(), result.passages, result.vectors)
    print("before:", json.dumps(quality(ingestor.tagger, located), indent=1))
    thresholds = calibrate(ingestor.tagger, located)
    ingestor.tagger.thresholds = thresholds
    print("after: ", json.dumps(quality(ingestor.tagger, located), indent=1))
    THRESHOLDS_FILE.write_text(json.dumps(thresholds, indent=2) + "\n")
    print(f"written {THRESHOLDS_FILE}")


if __name__ == "__main__":
    main()
