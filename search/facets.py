"""Facets: small registered classes, each counting one field over a result set."""
from __future__ import annotations

import numpy as np

from index.columns import Columns, Tally
from ingest.taxonomy import label_of


class Facet:
    name: str = ""
    field: str = ""                  # the Columns field counted
    taxonomy: str | None = None      # glossary section giving the French labels
    limit: int | None = None         # most frequent values kept (None: all)

    def label(self, value: str, titles: dict[str, str]) -> str:
        return label_of(self.taxonomy, value) if self.taxonomy else value

    def __call__(self, tally: Tally, titles: dict[str, str]) -> list[dict]:
        counts = tally.counts(self.field, self.limit)
        return [{"id": int(v) if self.name == "sdg" else v, "label": self.label(v, titles), "count": n}
                for v, n in counts]


class Levers(Facet):
    name, field, taxonomy = "levers", "levers", "levers"


class Sdg(Facet):
    name, field, taxonomy = "sdg", "sdg", "sdg"


class Trades(Facet):
    name, field, taxonomy = "trades", "trades", "trades"


class EntryPoints(Facet):
    name, field, taxonomy = "entry_point", "entry_point", "entry_points"


class Documents(Facet):
    name, field, limit = "doc", "doc_id", 30

    def label(self, value, titles):
        return titles.get(value, value)


class Languages(Facet):
    name, field = "lang", "language"


FACETS: list[Facet] = [Levers(), Sdg(), Trades(), EntryPoints(), Documents(), Languages()]


def facet_counts(columns: Columns, selected: np.ndarray, titles: dict[str, str]) -> dict[str, list[dict]]:
    """Counts of every facet over the flagged passages (the whole result set, not the top k)."""
    tally = columns.tally(selected)
    return {facet.name: facet(tally, titles) for facet in FACETS}
