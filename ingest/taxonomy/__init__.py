"""The taxonomies as data: levers, ODD, trades and entry points (see glossary.yaml)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent
FACETS = ("levers", "sdg", "trades", "entry_points")


@dataclass(frozen=True)
class Term:
    """One label of one taxonomy."""

    id: str | int
    label: str
    description: str
    terms: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    targets: tuple[str, ...] = field(default=(), repr=False)


def fold(text: str) -> str:
    """Lower case without accents, apostrophes made straight: how the lexicon matches."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _sdg(glossary: dict) -> list[Term]:
    goals = yaml.safe_load((HERE / "sdg" / "fr_global_goals.yml").read_text(encoding="utf-8"))
    targets = yaml.safe_load((HERE / "sdg" / "fr_global_targets.yml").read_text(encoding="utf-8"))
    out = []
    for n in range(1, 18):
        own = tuple(v for k, v in targets.items() if k.startswith(f"{n}-") and k.endswith("-title"))
        out.append(Term(id=n, label=f"ODD {n} — {goals[f'{n}-short']}", description=goals[f"{n}-title"],
                        terms=tuple(glossary["sdg_terms"].get(n, ())), targets=own))
    return out


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, list[Term]]:
    glossary = yaml.safe_load((HERE / "glossary.yaml").read_text(encoding="utf-8"))
    out = {name: [Term(id=t["id"], label=t["label"], description=t["description"],
                       terms=tuple(t.get("terms", ())), kinds=tuple(t.get("kinds", ())))
                  for t in glossary[name]]
           for name in ("levers", "trades", "entry_points")}
    out["sdg"] = _sdg(glossary)
    return out


def label_of(facet: str, id_) -> str:
    for term in taxonomy()[facet]:
        if str(term.id) == str(id_):
            return term.label
    raise KeyError(f"{facet}: identifiant inconnu {id_!r}")


def ids(facet: str) -> list:
    return [t.id for t in taxonomy()[facet]]
