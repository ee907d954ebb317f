"""Facets: how many passages of a result set hold each value of each field of
``ingest.glossary.FACETS``, with the values' French labels; and, for a page of filters, what a
click on each value would give (values of one facet OR-ed, facets AND-ed)."""
from __future__ import annotations

import dataclasses

import numpy as np

from index.columns import Columns, Tally
from ingest.glossary import FACETS, Facet
from ingest.taxonomy import ids, label_of

from .filters import Filters

LIMITS = {"doc": 30}        # most frequent values kept (a corpus may hold hundreds of publications)


def _label(facet: Facet, value: str, titles: dict[str, str]) -> str:
    if facet.taxonomy:
        return label_of(facet.taxonomy, value)
    return titles.get(value, value) if facet.key == "doc" else value


def _id(facet: Facet, value: str):
    return int(value) if facet.key == "sdg" else value


def _counts(facet: Facet, tally: Tally, titles: dict[str, str]) -> list[dict]:
    return [{"id": _id(facet, v), "label": _label(facet, v, titles), "count": n}
            for v, n in tally.counts(facet.column, LIMITS.get(facet.key))]


def facet_counts(columns: Columns, selected: np.ndarray, titles: dict[str, str]) -> dict[str, list[dict]]:
    """Counts of every facet over the flagged passages (the whole result set, not the top k)."""
    tally = columns.tally(selected)
    return {facet.key: _counts(facet, tally, titles) for facet in FACETS}


def refinements(columns: Columns, relevant: np.ndarray, filters: Filters,
                titles: dict[str, str]) -> dict[str, list[dict]]:
    """Every value of every facet as a filter panel shows it, in a stable order (a taxonomy's own
    order; publications and languages by label), with ``selected`` and ``count``: for a value not
    selected, the total a click on it would give (its facet's selected values OR it, AND the other
    filters); for a selected one, its passages in the result set. A taxonomy's values are all
    listed, even at 0; other values only when counted or selected.

    ``relevant`` flags the question's relevant passages whatever the filters (the result set is
    ``relevant`` within the filters)."""
    out = {}
    for facet in FACETS:
        chosen = [str(v) for v in getattr(filters, facet.param)]
        others = dataclasses.replace(filters, **{facet.param: []}).mask(columns)
        base = relevant if others is None else relevant & others
        if chosen:
            has = columns.has_label if facet.column in columns.labels else columns.has_value
            inside = base & has(facet.column, chosen)
            own = dict(columns.tally(inside).counts(facet.column))
            added = dict(columns.tally(base & ~inside).counts(facet.column))
            total = int(np.count_nonzero(inside))
        else:
            own, added, total = {}, dict(columns.tally(base).counts(facet.column)), 0
        if facet.taxonomy:
            values = [str(v) for v in ids(facet.taxonomy)]
        else:
            values = sorted({*own, *added, *chosen}, key=lambda v: _label(facet, v, titles).lower())
        out[facet.key] = [{"id": _id(facet, v), "label": _label(facet, v, titles), "selected": v in chosen,
                           "count": own.get(v, 0) if v in chosen else total + added.get(v, 0)} for v in values]
    return out
