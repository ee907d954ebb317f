"""The taxonomies as data: levers, ODD, trades and entry points (see glossary.yaml)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Term:
    """One label of one taxonomy."""

    id: str | int
    label: str
    description: str
    terms: tuple[str, ...] = ()
    section_kinds: tuple[str, ...] = ()     # entry points: the kinds of section that suggest it
    targets: tuple[str, ...] = field(default=(), repr=False)


def fold(text: str) -> str:
    """Lower case without accents, apostrophes made straight: how the lexicon matches."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


# Short names of the source that differ from the United Nations' official French ones: a typo
# (« Travaux décent ») and a plural without its accent.
OFFICIAL_SHORT = {7: "Énergie propre et d'un coût abordable", 8: "Travail décent et croissance économique"}


@dataclass(frozen=True)
class Goal:
    number: int
    short: str          # « Travail décent et croissance économique »
    title: str          # the goal's full official wording


@dataclass(frozen=True)
class Target:
    code: str           # « 17.17 », « 1.a »
    title: str


def _yaml(name: str) -> dict:
    """A file of the source, its text composed (NFC): it spells some accents as combining marks."""
    return yaml.safe_load(unicodedata.normalize("NFC", (HERE / "sdg" / name).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def sdg_goals() -> tuple[Goal, ...]:
    goals = _yaml("fr_global_goals.yml")
    return tuple(Goal(n, OFFICIAL_SHORT.get(n, goals[f"{n}-short"]), " ".join(goals[f"{n}-title"].split()))
                 for n in range(1, 18))


def _target_order(code: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))


@lru_cache(maxsize=17)
def sdg_targets(goal: int) -> tuple[Target, ...]:
    """The targets of one goal in their official order (1.1 … 1.5, then 1.a, 1.b)."""
    targets = _yaml("fr_global_targets.yml")
    own = [Target(k[:-len("-title")].replace("-", "."), " ".join(v.split())) for k, v in targets.items()
           if k.startswith(f"{goal}-") and k.endswith("-title")]
    return tuple(sorted(own, key=lambda t: _target_order(t.code)))


def _sdg(glossary: dict) -> list[Term]:
    return [Term(id=g.number, label=f"ODD {g.number} — {g.short}", description=g.title,
                 terms=tuple(glossary["sdg_terms"].get(g.number, ())),
                 targets=tuple(t.title for t in sdg_targets(g.number)))
            for g in sdg_goals()]


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, list[Term]]:
    glossary = yaml.safe_load((HERE / "glossary.yaml").read_text(encoding="utf-8"))
    out = {name: [Term(id=t["id"], label=t["label"], description=t["description"],
                       terms=tuple(t.get("terms", ())), section_kinds=tuple(t.get("section_kinds", ())))
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
