"""Write the reference publication « Les 17 objectifs de développement durable et leurs 169 cibles »
(corpus/odd-objectifs-et-cibles.md and its metadata) from the official French wording in
ingest/taxonomy/sdg/ (open-sdg/sdg-translations, MIT licence).

    python scripts/make_sdg_publication.py [--out corpus]

Each goal is a section (« ODD 8 — Travail décent et croissance économique »), its full title the
first paragraph, then one paragraph per target (« Cible 8.5 : … »), so that a question about a
target finds it with its number and the passage cites its goal.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.taxonomy import sdg_goals, sdg_targets  # noqa: E402

NAME = "odd-objectifs-et-cibles"
TITLE = "Les 17 objectifs de développement durable et leurs 169 cibles"


def markdown() -> str:
    lines = [f"# {TITLE}", "",
             "Le Programme de développement durable à l'horizon 2030, adopté par les Nations unies en 2015, "
             "fixe 17 objectifs de développement durable (ODD) et 169 cibles. Cette publication de référence "
             "reprend leur formulation officielle en français.", ""]
    for goal in sdg_goals():
        lines += [f"## ODD {goal.number} — {goal.short}", "", f"Objectif {goal.number} : {goal.title}.", ""]
        for target in sdg_targets(goal.number):
            text = target.title if re.search(r"[.!?]$", target.title) else target.title + "."
            lines += [f"Cible {target.code} : {text}", ""]
    return "\n".join(lines)


def metadata() -> dict:
    return {"title": TITLE, "date": "2015-09-25", "publisher": "Organisation des Nations unies",
            "genre": "référence", "language": "fr",
            "source_url": "https://github.com/open-sdg/sdg-translations",
            "licence": "MIT — traduction française des ODD et cibles, open-sdg/sdg-translations (commit 0cda585)",
            "tags": {"entry_point": "eclairage"}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "corpus"))
    out = Path(ap.parse_args().out)
    (out / f"{NAME}.md").write_text(markdown(), encoding="utf-8")
    (out / f"{NAME}.meta.json").write_text(json.dumps(metadata(), ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
    print(f"{out / NAME}.md")


if __name__ == "__main__":
    main()
