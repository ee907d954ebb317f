"""Facets: how many passages of a result set hold each value of each field of
``ingest.glossary.FACETS``, with the values' French labels."""
from __future__ import annotations

import numpy as np

from index.columns import Columns, Tally
from ingest.glossary import FACETS, Facet
from ingest.taxonomy import label_of

LIMITS = {"doc": 30}        # most frequent values kept (a corpus may hold hundreds of publications)


def _label(facet: Facet, value: str, titles: dict[str, str]) -> str:
    if facet.taxonomy:
        return label_of(facet.taxonomy, value)
    return titles.get(value, value) if facet.key == "doc" else value


def _counts(facet: Facet, tally: Tally, titles: dict[str, str]) -> list[dict]:
    return [{"id": int(v) if facet.key == "sdg" else v, "label": _label(facet, v, titles), "count": n}
            for v, n in tally.counts(facet.column, LIMITS.get(facet.key))]


def facet_counts(columns: Columns, selected: np.ndarray, titles: dict[str, str]) -> dict[str, list[dict]]:
    """Counts of every facet over the flagged passages (the whole result set, not the top k)."""
    tally = columns.tally(selected)
    return {facet.key: _counts(facet, tally, titles) for facet in FACETS}
